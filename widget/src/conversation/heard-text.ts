/** Maps how much of a reply was played (ms, from the playback clock) to the words the visitor heard. */

/** One sentence sent to TTS and how much audio it produced so far. */
export interface SpokenSegment {
  text: string;
  /** Audio received for this sentence, ms (PCM bytes ÷ 2 ÷ 24 kHz × 1000). */
  audioMs: number;
}

/**
 * The text heard after `playedMs` of playback: whole sentences that finished playing, plus the
 * played share of the current sentence (proportional to characters), cut back to the last whole
 * word. Sentences are joined with one space.
 */
export function heardText(segments: readonly SpokenSegment[], playedMs: number): string {
  const heard: string[] = [];
  let remaining = Math.max(0, playedMs);
  for (const segment of segments) {
    if (remaining <= 0) break;
    if (remaining >= segment.audioMs) {
      heard.push(segment.text);
      remaining -= segment.audioMs;
      continue;
    }
    const chars = Math.floor((segment.text.length * remaining) / segment.audioMs);
    const partial = wholeWords(segment.text, chars);
    if (partial) heard.push(partial);
    break;
  }
  return heard.join(" ");
}

/** The first `chars` characters of `text`, without a trailing partial word. */
function wholeWords(text: string, chars: number): string {
  if (chars >= text.length) return text;
  const atBoundary = /\s/.test(text[chars] ?? " ");
  const cut = atBoundary ? chars : text.lastIndexOf(" ", chars);
  return cut > 0 ? text.slice(0, cut).trimEnd() : "";
}

/** Milliseconds of 16-bit mono PCM: `bytes` at `sampleRate` Hz. */
export function pcmMs(bytes: number, sampleRate: number): number {
  return (bytes / 2 / sampleRate) * 1000;
}
