/**
 * Knowledge benchmark: what the relay's knowledge retrieval costs at 1,000 pages. It makes 1,000 pages of
 * deterministic text (≈ 500 words each: a seeded pseudo-random vocabulary of 3,000 made-up words with a
 * skewed frequency, plus two of 60 topic words per page), chunks and indexes them as the relay does at
 * start (`chunkText`, `KnowledgeIndex`), and measures the build time, the index's size (its MiniSearch
 * JSON, and the heap it added) and the time of a turn's retrieval (`turnKnowledge`: the search, the budget
 * and the reference message) over 200 visitor questions naming a topic. Baselines in the same run: the
 * same retrieval over 100 pages, and a plain substring scan of the 1,000 pages' passages for the
 * question's words. Run with `--expose-gc` (the package's `bench` script does) for the heap figure.
 */
import type { BenchRow } from "../../scripts/bench-report.ts";
import { writeBenchResults } from "../../scripts/bench-report.ts";
import { chunkText, type Passage } from "../src/knowledge/chunk-text.ts";
import { KnowledgeIndex, MAX_QUERY_WORDS } from "../src/knowledge/knowledge-index.ts";
import { turnKnowledge } from "../src/knowledge/turn-knowledge.ts";

const PAGES = 1000;
const WORDS_PER_PAGE = 500;
const QUERIES = 200;
const WARMUP = 20;
const budget = { files: ["bench.md"], maxTokens: 600, maxPassages: 4 };

/** mulberry32: a small seeded generator, so every run indexes the same text. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(19);
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const SYLLABLES = "ka lo mi ne ru sa te vo zi pa da fe gu ho ja ly mo nu ri so".split(" ");
const word = () => Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(SYLLABLES)).join("");
const VOCABULARY = Array.from({ length: 3000 }, word);
const TOPICS = Array.from({ length: 60 }, (_, i) => `topic${i}${word()}`);
const COMMON = "the a of and to in is for on with that it as by from this are be at or".split(" ");
/** Skewed like prose: low indexes far more often (squared uniform). */
const vocabularyWord = () => VOCABULARY[Math.floor(random() ** 2 * VOCABULARY.length)]!;

function page(n: number): { file: string; text: string; topics: string[] } {
  const topics = [pick(TOPICS), pick(TOPICS)];
  const paragraphs: string[] = [];
  let words = 0;
  while (words < WORDS_PER_PAGE) {
    const length = 40 + Math.floor(random() * 60);
    const sentence = Array.from({ length }, (_, i) => {
      const r = random();
      if (r < 0.04) return topics[i % 2]!;
      return r < 0.35 ? pick(COMMON) : vocabularyWord();
    });
    paragraphs.push(`${sentence.join(" ")}.`);
    words += length;
  }
  const file = `page-${String(n).padStart(4, "0")}.md`;
  return { file, text: `# Page ${n}: ${topics.join(" and ")}\n\n## Notes\n\n${paragraphs.join("\n\n")}\n`, topics };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
};
const heap = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
};

const pages = Array.from({ length: PAGES }, (_, n) => page(n));
const questions = Array.from({ length: QUERIES + WARMUP }, () => {
  const topic = pick(TOPICS);
  const words = [pick(COMMON), vocabularyWord(), topic, pick(COMMON), vocabularyWord(), vocabularyWord()];
  return { topic, text: `${words.join(" ")}?` };
});
/** Typed messages of 150 words, the topic among the last few: the search takes the last `MAX_QUERY_WORDS.latest`. */
const longQuestions = questions.map(({ topic }) => {
  const words = Array.from({ length: 150 }, () => (random() < 0.35 ? pick(COMMON) : vocabularyWord()));
  words[145] = topic;
  return { topic, text: `${words.join(" ")}?` };
});

/** Builds the index of `pages` as the relay does at start: ms, heap bytes added, the index. */
function build(of: typeof pages) {
  const before = heap();
  const t0 = performance.now();
  const passages: Passage[] = of.flatMap(({ file, text }) => chunkText(text, file));
  const index = new KnowledgeIndex(
    of.map((p) => p.file),
    passages,
  );
  const ms = performance.now() - t0;
  return { index, passages, ms, heapBytes: heap() - before };
}

/** Times `retrieve` on each question (after a warm-up): ms each, and how often the top passage names the question's topic. */
function timed(retrieve: (question: string) => string | undefined, asked = questions) {
  const times: number[] = [];
  let hits = 0;
  asked.forEach(({ topic, text }, i) => {
    const t0 = performance.now();
    const top = retrieve(text);
    const ms = performance.now() - t0;
    if (i < WARMUP) return;
    times.push(ms);
    if (top?.includes(topic)) hits++;
  });
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), hitRate: hits / QUERIES };
}

// A first build compiles the code paths, so neither measured build pays for it.
build(pages.slice(100, 150));
const small = build(pages.slice(0, 100));
const full = build(pages);
const indexBytes = Buffer.byteLength(JSON.stringify(full.index));
const textBytes = pages.reduce((n, p) => n + Buffer.byteLength(p.text), 0);
const viaIndex = (index: KnowledgeIndex) => (question: string) =>
  turnKnowledge(index, budget, [{ role: "user", content: question }])?.message?.split("\n")[3];
const retrieval = timed(viaIndex(full.index));
const retrieval100 = timed(viaIndex(small.index));
const retrievalLong = timed(viaIndex(full.index), longQuestions);
const lowered = full.passages.map((p) => `${p.heading}\n${p.text}`.toLowerCase());
// The floor without an index: every passage searched for every word of the question, best count first.
const scan = timed((question) => {
  const words = question.toLowerCase().replace(/\?$/, "").split(" ");
  let best = -1;
  let bestCount = 0;
  lowered.forEach((text, i) => {
    let count = 0;
    for (const w of words) if (text.includes(w)) count++;
    if (count > bestCount) [best, bestCount] = [i, count];
  });
  return best < 0 ? undefined : lowered[best];
});

const setup = `${PAGES} pages × ${WORDS_PER_PAGE} words (${(textBytes / 1e6).toFixed(2)} MB of text, ${full.passages.length} passages); budget ${budget.maxTokens} tokens / ${budget.maxPassages} passages`;
const rows: BenchRow[] = [
  {
    key: "knowledge_retrieval_p50_ms",
    name: "knowledge: retrieval per turn, 1,000 pages (p50)",
    unit: "ms",
    value: retrieval.p50,
    baseline: scan.p50,
    trials: QUERIES,
    note: `baseline = substring scan of the same passages; ${setup}; top passage on the question's topic ${(retrieval.hitRate * 100).toFixed(0)} % (scan ${(scan.hitRate * 100).toFixed(0)} %)`,
  },
  {
    key: "knowledge_retrieval_p95_ms",
    name: "knowledge: retrieval per turn, 1,000 pages (p95)",
    unit: "ms",
    value: retrieval.p95,
    baseline: scan.p95,
    trials: QUERIES,
    note: "baseline = substring scan of the same passages",
  },
  {
    name: "knowledge: retrieval per turn, 100 pages (p50 / p95 in note)",
    unit: "ms",
    value: retrieval100.p50,
    baseline: retrieval.p50,
    trials: QUERIES,
    note: `p95 ${retrieval100.p95.toFixed(3)} ms; baseline = 1,000 pages p50; top passage on topic ${(retrieval100.hitRate * 100).toFixed(0)} %`,
  },
  {
    name: "knowledge: retrieval per turn, 1,000 pages, 150-word messages (p95)",
    unit: "ms",
    value: retrievalLong.p95,
    baseline: retrieval.p95,
    trials: QUERIES,
    note: `p50 ${retrievalLong.p50.toFixed(3)} ms; searched: the last ${MAX_QUERY_WORDS.latest} words; baseline = 6-word questions p95; top passage on topic ${(retrievalLong.hitRate * 100).toFixed(0)} %`,
  },
  {
    key: "knowledge_index_bytes_1000_pages",
    name: "knowledge: index size, 1,000 pages (MiniSearch JSON)",
    unit: "bytes",
    value: indexBytes,
    baseline: textBytes,
    note: `baseline = the pages' text; heap added by chunking and indexing: ${(full.heapBytes / 1e6).toFixed(1)} MB${globalThis.gc ? "" : " (no --expose-gc: approximate)"}`,
  },
  {
    key: "knowledge_index_build_ms",
    name: "knowledge: chunk and index 1,000 pages",
    unit: "ms",
    value: full.ms,
    baseline: small.ms,
    note: `baseline = 100 pages; ${setup}`,
  },
];
await writeBenchResults("knowledge", rows);
