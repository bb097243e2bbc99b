import MiniSearch, { type Query } from "minisearch";
import type { Passage } from "./chunk-text.ts";

/** A passage chosen for a turn, with its MiniSearch (BM25+) score. */
export interface RetrievedPassage {
  passage: Passage;
  score: number;
}

/** What one turn asks the index: the visitor's latest message and, for follow-ups, the one before. */
export interface KnowledgeQuery {
  latest: string;
  previous?: string | undefined;
}

/** How much a turn may take: at most `maxPassages` passages of at most `maxTokens` estimated tokens together. */
export interface KnowledgeBudget {
  maxTokens: number;
  maxPassages: number;
}

/** Weight of the previous message's terms against the latest's: a follow-up ("and how long does it take?") leans on it. */
const PREVIOUS_WEIGHT = 0.3;

/**
 * Words of a message searched at most, its last ones: a search's time grows with its terms (each is looked
 * up with its prefix and typo variants), and a visitor may paste pages into a typed message.
 */
export const MAX_QUERY_WORDS = { latest: 32, previous: 16 } as const;

/** MiniSearch's own word boundaries (its default tokenizer): spaces and punctuation. */
const WORD_BOUNDARY = /[\n\r\p{Z}\p{P}]+/u;

/** The last `n` words of `text`. */
const lastWords = (text: string, n: number) =>
  text
    .slice(-n * 64)
    .split(WORD_BOUNDARY)
    .filter(Boolean)
    .slice(-n)
    .join(" ");

/** A passage scoring below this fraction of the best one is noise (a stray common word), never worth its tokens. */
const MIN_RELATIVE_SCORE = 0.2;

/** Words too common to tell passages apart (English); dropped from passages and queries alike. */
const STOP_WORDS = new Set(
  (
    "a an and are as at be but by can could do does did for from had has have how i if in into is it its me my " +
    "no not of on or our please so that the their them then there these they this to us was we were what when " +
    "where which who why will with would you your"
  ).split(" "),
);

/**
 * An agent's knowledge passages in a MiniSearch full-text index (BM25+ over the passage text and, boosted
 * twice, its heading path; prefix matches for terms of 4+ characters, typo-tolerant matches for 5+).
 * Built once at start; {@link retrieve} is synchronous and allocates only its results.
 */
export class KnowledgeIndex {
  /** The files the passages came from. */
  readonly files: readonly string[];
  readonly #passages: readonly Passage[];
  readonly #search: MiniSearch<{ id: number; heading: string; text: string }>;

  constructor(files: readonly string[], passages: readonly Passage[]) {
    this.files = files;
    this.#passages = passages;
    this.#search = new MiniSearch({
      fields: ["heading", "text"],
      processTerm: (term) => {
        const lower = term.toLowerCase();
        return STOP_WORDS.has(lower) ? null : lower;
      },
      searchOptions: {
        boost: { heading: 2 },
        combineWith: "OR",
        prefix: (term) => term.length >= 4,
        fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
      },
    });
    this.#search.addAll(passages.map((p, id) => ({ id, heading: p.heading, text: p.text })));
  }

  /** How many passages the index holds. */
  get size(): number {
    return this.#passages.length;
  }

  /**
   * The best passages for a turn, best first: by score, skipping any that would overflow the token
   * budget, until `maxPassages` are chosen; passages scoring under a fifth of the best are left out.
   * Empty when no term of the query occurs in the knowledge. Searches the last {@link MAX_QUERY_WORDS} of each message.
   */
  retrieve(query: KnowledgeQuery, budget: KnowledgeBudget): RetrievedPassage[] {
    const latest = lastWords(query.latest, MAX_QUERY_WORDS.latest);
    const previous = query.previous && lastWords(query.previous, MAX_QUERY_WORDS.previous);
    const search: Query = previous
      ? { combineWith: "OR", queries: [latest, { combineWith: "OR", queries: [previous], boostTerm: () => PREVIOUS_WEIGHT }] }
      : latest;
    const chosen: RetrievedPassage[] = [];
    let tokens = 0;
    const results = this.#search.search(search);
    const floor = (results[0]?.score ?? 0) * MIN_RELATIVE_SCORE;
    for (const result of results) {
      if (result.score < floor) break;
      const passage = this.#passages[result.id as number]!;
      if (tokens + passage.tokens > budget.maxTokens) continue;
      chosen.push({ passage, score: result.score });
      tokens += passage.tokens;
      if (chosen.length >= budget.maxPassages) break;
    }
    return chosen;
  }

  /** The MiniSearch index as JSON (what `MiniSearch.loadJSON` reads); its length is the index's size in the benchmark. */
  toJSON(): unknown {
    return this.#search.toJSON();
  }
}
