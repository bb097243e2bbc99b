/** The visitor's local history: conversations and their messages, behind one small interface. */
import type { TurnLatency } from "@voice-agent/relay/protocol";

/** A tool call the model made, as stored and sent back as context. */
export interface ToolCallRecord {
  id: string;
  name: string;
  /** The JSON arguments text, as the model produced it. */
  arguments: string;
}

/** One message of a conversation (fields of ARCHITECTURE.md's message record). */
export interface StoredMessage {
  /** Random UUID. */
  id: string;
  conversationId: string;
  /** Relay session during which it was said. */
  sessionId?: string;
  /** Order within the conversation (0, 1, 2, …). */
  seq: number;
  role: "user" | "assistant" | "tool";
  /** Full text: the transcript, or the whole reply text generated (even when interrupted). */
  text: string;
  /** Wall-clock time the message started, epoch ms. */
  createdAt: number;
  /** Start / end of the utterance on the mic stream clock, ms (user voice turns only). */
  startMs?: number;
  endMs?: number;
  /** STT confidence 0…1 when the provider reports one. */
  confidence?: number;
  /** Token count reported by the LLM (`usage.completion_tokens`), when streamed. */
  tokenCount?: number;
  /** The turn (a user utterance or typed text, and the reply to it); sent to the relay as `x-turn-id`. */
  utteranceId?: string;
  /** Reply audio received (assistant) or utterance length (user), ms. */
  audioMs?: number;
  /** True when the reply was cut before it finished playing (barge-in, typed text, Stop, the end). */
  interrupted?: boolean;
  /** True when the cut came from Stop or the conversation's end, not from the visitor taking the turn. */
  stopped?: boolean;
  /** What the visitor heard of an interrupted reply; used as its context for the next turn. */
  heardText?: string;
  latency?: TurnLatency;
  /** Tool calls requested by an assistant message. */
  toolCalls?: ToolCallRecord[];
  /** For `tool` messages: which call this is the result of. */
  toolCallId?: string;
}

/** One conversation with one agent on one relay. */
export interface StoredConversation {
  id: string;
  /** `relayUrl + " " + agent`: the widget restores the newest conversation with this key. */
  agentKey: string;
  createdAt: number;
  updatedAt: number;
}

/** Everything the visitor has stored locally, as exported to JSON. */
export interface HistoryExport {
  format: "voice-agent-history";
  version: 1;
  exportedAt: number;
  conversations: (StoredConversation & { messages: StoredMessage[] })[];
}

/** Where the widget keeps the visitor's history. Methods reject with a `storage` WidgetError. */
export interface HistoryStore {
  /** The newest conversation for `agentKey`, or undefined. */
  latestConversation(agentKey: string): Promise<StoredConversation | undefined>;
  /** Inserts or replaces a conversation. */
  putConversation(conversation: StoredConversation): Promise<void>;
  /** Messages of a conversation in `seq` order. */
  messages(conversationId: string): Promise<StoredMessage[]>;
  /** Inserts or replaces a message. */
  putMessage(message: StoredMessage): Promise<void>;
  /** A persistent value (the visitor id). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /** Everything, for export. */
  exportAll(): Promise<HistoryExport>;
  /** Deletes everything, including meta values. */
  clear(): Promise<void>;
}
