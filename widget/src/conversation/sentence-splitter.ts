/** Splits streamed reply text into sentences, so each can go to TTS as soon as it is complete. */

export interface SentenceSplitterOptions {
  /** A sentence longer than this many characters is cut at the last space or comma before it. Default 240. */
  maxChars?: number;
}

// Words whose trailing period does not end a sentence (lower-case, without the period).
const ABBREVIATIONS = new Set(["e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no", "approx", "inc", "ltd"]);

/** Feed it LLM deltas with `push()`; it returns each sentence once its end has been seen. */
export class SentenceSplitter {
  readonly #maxChars: number;
  #buffer = "";

  constructor(options: SentenceSplitterOptions = {}) {
    this.#maxChars = options.maxChars ?? 240;
  }

  /** Adds `delta`; returns the sentences it completed (trimmed, non-empty), oldest first. */
  push(delta: string): string[] {
    this.#buffer += delta;
    const sentences: string[] = [];
    for (let end = this.#nextEnd(); end > 0; end = this.#nextEnd()) {
      const sentence = this.#buffer.slice(0, end).trim();
      this.#buffer = this.#buffer.slice(end);
      if (sentence) sentences.push(sentence);
    }
    return sentences;
  }

  /** Returns what is left (the last sentence, which may lack a final stop) and resets. */
  flush(): string {
    const rest = this.#buffer.trim();
    this.#buffer = "";
    return rest;
  }

  /** Forgets buffered text. */
  reset(): void {
    this.#buffer = "";
  }

  /** Index just past the first complete sentence in the buffer, or 0. */
  #nextEnd(): number {
    const text = this.#buffer;
    // A stop only ends a sentence once we see what follows it: whitespace (not a decimal point or URL).
    const stop = /([.!?…]+["')\]]*)(\s+)|(\n\s*\n?)/g;
    for (let match = stop.exec(text); match; match = stop.exec(text)) {
      if (match[3] !== undefined) {
        if (text.slice(0, match.index).trim()) return match.index + match[0].length;
        continue;
      }
      const before = text.slice(0, match.index);
      const word = /(\S+)$/.exec(before)?.[1]?.toLowerCase() ?? "";
      if (match[1] === "." && ABBREVIATIONS.has(word)) continue;
      return match.index + match[0].length;
    }
    if (text.length > this.#maxChars) {
      const cut = Math.max(text.lastIndexOf(", ", this.#maxChars), text.lastIndexOf(" ", this.#maxChars));
      return cut > 0 ? cut + 1 : this.#maxChars;
    }
    return 0;
  }
}
