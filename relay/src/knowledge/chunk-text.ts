import { estimateTokens } from "./estimate-tokens.ts";

/** One retrievable piece of a knowledge file. */
export interface Passage {
  /**
   * Stable id: `<file>#<section slug>-<n>`, `n` counting from 1 within the section (`notes.txt#2` for
   * plain text), so editing one section leaves the other sections' ids unchanged.
   */
  id: string;
  /** The file as the agents file names it, e.g. `knowledge/faq.md`. */
  file: string;
  /** The Markdown headings above the passage, outermost first, joined by ` › `; `""` for plain text and text before the first heading. */
  heading: string;
  text: string;
  /** {@link estimateTokens} of `text`. */
  tokens: number;
}

/** Passage size in estimated tokens: paragraphs are packed up to `max`; a section shorter than `min` stays one short passage. */
export const PASSAGE_TOKENS = { min: 100, max: 250 } as const;

const FENCE = /^\s{0,3}(```|~~~)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;

/**
 * Cuts a knowledge file into passages. Markdown (`.md`) is cut at its ATX headings (`#` … `######`, not
 * inside fenced code) into sections that remember their heading path; every section (plain text: the
 * whole file) is split into paragraphs at blank lines, and consecutive paragraphs are packed into
 * passages of at most {@link PASSAGE_TOKENS}`.max` estimated tokens. A longer paragraph is split at
 * sentence ends, a longer sentence at word boundaries. Sections are never merged, so each passage has
 * one heading path.
 */
export function chunkText(fileText: string, file: string): Passage[] {
  const text = fileText.replace(/\r\n?/g, "\n");
  const sections = file.toLowerCase().endsWith(".md") ? markdownSections(text) : [{ path: [], body: text }];
  const perSlug = new Map<string, number>();
  const passages: Passage[] = [];
  for (const { path, body } of sections) {
    const paragraphs = body
      .split(/\n[ \t]*\n/)
      .map((p) => p.trim())
      .filter(Boolean);
    const slug = slugOf(path.join(" "));
    for (const piece of pack(paragraphs.flatMap(splitLong), "\n\n")) {
      const n = (perSlug.get(slug) ?? 0) + 1;
      perSlug.set(slug, n);
      passages.push({
        id: `${file}#${slug ? `${slug}-` : ""}${n}`,
        file,
        heading: path.join(" › "),
        text: piece,
        tokens: estimateTokens(piece),
      });
    }
  }
  return passages;
}

function markdownSections(text: string): { path: string[]; body: string }[] {
  const sections: { path: string[]; body: string }[] = [];
  const headings: string[] = [];
  let lines: string[] = [];
  let fenced = false;
  const flush = () => {
    if (lines.join("").trim()) sections.push({ path: headings.filter(Boolean), body: lines.join("\n") });
    lines = [];
  };
  for (const line of text.split("\n")) {
    if (FENCE.test(line)) fenced = !fenced;
    const heading = fenced ? null : HEADING.exec(line);
    if (!heading) {
      lines.push(line);
      continue;
    }
    flush();
    const level = heading[1]!.length;
    headings.length = level;
    headings[level - 1] = heading[2]!.trim();
  }
  flush();
  return sections;
}

/** A paragraph over the passage size, as sentences (then word runs) that each fit. */
function splitLong(paragraph: string): string[] {
  if (estimateTokens(paragraph) <= PASSAGE_TOKENS.max) return [paragraph];
  const maxChars = PASSAGE_TOKENS.max * 4;
  const sentences = paragraph.split(/(?<=[.!?])\s+/).flatMap((sentence) => {
    if (sentence.length <= maxChars) return [sentence];
    return pack(sentence.split(/\s+/), " ").flatMap((run) =>
      run.length <= maxChars ? [run] : (run.match(new RegExp(`.{1,${maxChars}}`, "gsu")) ?? []),
    );
  });
  return pack(sentences, " ");
}

/** Joins consecutive pieces while the result stays within the passage size. */
function pack(pieces: readonly string[], joiner: string): string[] {
  const packed: string[] = [];
  let current = "";
  for (const piece of pieces) {
    const joined = current ? `${current}${joiner}${piece}` : piece;
    if (current && estimateTokens(joined) > PASSAGE_TOKENS.max) {
      packed.push(current);
      current = piece;
    } else current = joined;
  }
  if (current) packed.push(current);
  return packed;
}

function slugOf(heading: string): string {
  return heading
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}
