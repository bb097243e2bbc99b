import type { ChatMessage } from "../protocol.ts";
import type { KnowledgeConfig } from "./knowledge-config.ts";
import type { KnowledgeIndex } from "./knowledge-index.ts";
import { referenceMessage } from "./reference-message.ts";

/** One passage a turn was given, as its `knowledge` event cites it. */
export interface KnowledgeSource {
  file: string;
  /** Heading path (` › ` between levels); `""` for plain text. */
  heading: string;
  chunkId: string;
  /** MiniSearch score, 3 decimals. */
  score: number;
  /** Estimated tokens (characters ÷ 4). */
  tokens: number;
}

/** What a turn's knowledge event records: the passages given to the model and the retrieval's time. */
export interface KnowledgeCitation {
  sources: KnowledgeSource[];
  /** Time of the retrieval, ms (2 decimals). */
  retrievalMs: number;
}

/** A turn's knowledge: the reference message (undefined when nothing matched) and its citation. */
export interface TurnKnowledge {
  message: string | undefined;
  citation: KnowledgeCitation;
}

/**
 * Retrieves the passages of a chat request's turn. The query is the visitor's latest message, with the
 * visitor's message before it weighted less (follow-up questions); tool results and the assistant's words
 * are never searched. A tool round's continuation (the request ends with tool results) has the same
 * latest message, so it gets the same passages. Undefined when the request has no visitor message.
 */
export function turnKnowledge(index: KnowledgeIndex, config: KnowledgeConfig, messages: readonly ChatMessage[]): TurnKnowledge | undefined {
  const said = messages.flatMap((m) => (m.role === "user" ? [m.content] : []));
  const latest = said.at(-1);
  if (latest === undefined) return undefined;
  const t0 = performance.now();
  const passages = index.retrieve({ latest, previous: said.at(-2) }, config);
  const retrievalMs = Math.round((performance.now() - t0) * 100) / 100;
  const sources = passages.map(({ passage, score }) => ({
    file: passage.file,
    heading: passage.heading,
    chunkId: passage.id,
    score: Math.round(score * 1000) / 1000,
    tokens: passage.tokens,
  }));
  return { message: passages.length ? referenceMessage(passages) : undefined, citation: { sources, retrievalMs } };
}
