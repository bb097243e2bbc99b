import type { TurnLatency } from "../protocol.ts";
import type { SessionStatus } from "./session-status.ts";

/** Pipeline of a session. */
export type SessionMode = "cascade" | "realtime";

/** What the widget reported about the visitor's audio. */
export interface ClientInfo {
  /** Capture sample rate of the visitor's microphone (Hz). */
  sampleRate?: number;
  /** Browser language, e.g. `en-GB`. */
  language?: string;
}

/** One session as the admin API returns it. All times are epoch ms. */
export interface SessionRecord {
  /** UUIDv7, also the relay token's `sid`. */
  id: string;
  agent: string;
  origin: string;
  mode: SessionMode;
  status: SessionStatus;
  /** Local conversation id sent by the widget; links the sessions of one conversation across reloads. */
  conversationId: string | null;
  createdAt: number;
  /** When the session became `active` (first turn). */
  startedAt: number | null;
  /** When it reached a terminal status. */
  endedAt: number | null;
  /**
   * When it lapses unless the widget is active again: its last activity (or creation) + the agent's idle
   * timeout, never after its maximum length. An open session past it becomes `timeout`.
   */
  expiresAt: number;
  /** The widget's last request of the session (proxy routes and token refresh); null before the first. */
  lastActiveAt: number | null;
  /** `endedAt − createdAt` (ms). */
  durationMs: number | null;
  /** Why it ended, e.g. `hangup`, `unload`, `error`, `lapsed`. */
  endReason: string | null;
  client: ClientInfo | null;
  /** The page context the agent was told (validated against its declaration); null when the page gave none. */
  context: Record<string, string | number | boolean> | null;
}

/**
 * A tool call of the model, as OpenAI streams it. A client tool's result is the `tool` message of the
 * widget's next request; a server tool's call carries how the relay ran it (the other fields).
 */
export interface ToolCallRecord {
  /** The upstream's call id (`call_…`). */
  id: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
  /** Set when the relay ran the call (a server tool). */
  runs?: "server";
  /** A server call's outcome: `ok`, or why its result is an error (`invalid_arguments`, `refused`, `timeout`, …; `skipped`: not run). */
  outcome?: string;
  /** The result the model got, cut to {@link MAX_RECORDED_TOOL_RESULT} characters. */
  result?: string;
  durationMs?: number;
  /** The endpoint's HTTP status, when it answered. */
  status?: number;
}

/** Longest server tool result kept in a {@link ToolCallRecord} (characters). */
export const MAX_RECORDED_TOOL_RESULT = 2000;

/** Who said a message. */
export type MessageRole = "user" | "assistant" | "system" | "tool";

/** One message / transcript segment. Times are epoch ms. */
export interface MessageRecord {
  /** UUIDv7; sent to the widget in the `x-record-id` header so it can refer to it in reports. */
  id: string;
  sessionId: string;
  role: MessageRole;
  text: string;
  /** When the utterance or reply started (request start for relay-captured messages). */
  startAt: number | null;
  /** When it ended (response complete). */
  endAt: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** The turn the message belongs to (the widget's `x-turn-id`); null for a request without one and for the greeting. */
  utteranceId: string | null;
  /** Length of the utterance audio (ms). */
  audioDurationMs: number | null;
  /** True when the visitor barged in (or the stream was cut) before the reply was fully heard. */
  interrupted: boolean;
  /** What the visitor actually heard of an interrupted reply. */
  heardText: string | null;
  latency: TurnLatency;
  /** The model's tool calls (`assistant` messages); null when it called none. */
  toolCalls: ToolCallRecord[] | null;
  /** The call a `tool` message answers. */
  toolCallId: string | null;
}

/** Where an event was observed. */
export type EventSource = "relay" | "widget";

/** A session event: state change, interruption, error, speech request, … */
export interface EventRecord {
  /** UUIDv7. */
  id: string;
  sessionId: string;
  type: string;
  source: EventSource;
  /** Epoch ms (the relay's clock). */
  at: number;
  payload: Record<string, unknown>;
}

/** Where a session's post-session analysis stands: `pending` until done, or `failed` after its last attempt, or `skipped`. */
export type AnalysisStatus = "pending" | "done" | "failed" | "skipped";

/** Tokens an analysis cost, as the upstream reported them. */
export interface AnalysisUsage {
  promptTokens: number;
  completionTokens: number;
}

/** The post-session analysis of a session (see `relay/src/analysis/`). Times are epoch ms. */
export interface SessionAnalysis {
  status: AnalysisStatus;
  /** Attempts made (claims), including one in progress. */
  attempts: number;
  /** The structured result, valid against the agent's analysis schema; null until `done`. */
  result: Record<string, unknown> | null;
  model: string | null;
  usage: AnalysisUsage | null;
  /** Why the last attempt failed (`pending`, `failed`) or why it was skipped. */
  error: string | null;
  completedAt: number | null;
  /** While `pending`: when the next attempt may start. */
  nextAttemptAt: number | null;
}

/** One session with everything recorded about it. */
export interface SessionDetail {
  session: SessionRecord;
  messages: MessageRecord[];
  events: EventRecord[];
  /** Null until the session's agent analyses it (agents without `analysis` never do). */
  analysis: SessionAnalysis | null;
}
