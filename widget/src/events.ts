/** The DOM events `<voice-agent>` dispatches (bubbling, composed), declared once. */
import type { PlaybackReport } from "./audio/worklet-messages.ts";
import type { AudioLoopPath } from "./audio/loop-messages.ts";
import type { TurnLatency } from "@voice-agent/relay/protocol";
import type { StoredMessage } from "./history/history-store.ts";
import type { ConversationState } from "./state.ts";
import type { WidgetErrorCode } from "./widget-error.ts";

/** A final line of the transcript. */
export interface TranscriptLine {
  role: "user" | "assistant";
  text: string;
  /** Always true for `va-transcript`; interim text arrives as `va-interim`. */
  final: boolean;
  messageId: string;
}

/** Text still being recognised (visitor) or generated (assistant). */
export interface InterimText {
  role: "user" | "assistant";
  /** The whole interim text so far (not a delta). */
  text: string;
}

/** The visitor barged in on a reply. */
export interface Interruption {
  messageId: string;
  replyId: number;
  /** How much of the reply's audio had played, ms. */
  playedMs: number;
  /** The reply text the visitor heard; this is what the model gets as context. */
  heardText: string;
  /** The reply text generated up to the interruption. */
  fullText: string;
}

/** A client tool call the model made and the page ran. */
export interface ToolCallDetail {
  id: string;
  name: string;
  /** Parsed JSON arguments. */
  arguments: unknown;
  /** The handler's result (absent on error). */
  result?: unknown;
  /** Why the call failed: no handler, bad arguments, or the handler threw. */
  error?: string;
  durationMs: number;
}

/** A runtime error. `fatal` errors put the state in `error`; others (`storage`) only inform. */
export interface ErrorDetail {
  code: WidgetErrorCode;
  message: string;
  fatal: boolean;
  /** For `rate-limited`: how long the relay asked to wait, ms (when it said). */
  retryAfterMs?: number;
}

/** Timings of one turn, ms. */
export interface TurnMetrics extends TurnLatency {
  /** The turn's id (the `utteranceId` of its messages, the relay's `x-turn-id`). */
  utteranceId: string;
  /** End of the visitor's input → reply done (played, when spoken). */
  totalMs: number;
  interrupted: boolean;
  toolCalls: number;
  /** Tokens of the reply, when the relay reports usage. */
  completionTokens?: number;
  /**
   * Where the audio loop (VAD, end of turn, barge-in) ran: `worker`, `worker-bootstrap` (a `blob:`
   * bootstrap of the worker on another origin) or `main-thread` (the fallback). Absent without audio.
   */
  audioLoop?: AudioLoopPath;
}

/** Event name → detail type. */
export interface VoiceAgentEventMap {
  /** The conversation state changed (also reflected as the host's `data-state` attribute). */
  "va-state": ConversationState;
  /** Interim visitor transcript or assistant text while it streams. */
  "va-interim": InterimText;
  /** A transcript line was completed (visitor transcript or assistant reply text). */
  "va-transcript": TranscriptLine;
  /** A message was stored in (or updated in) local history. */
  "va-message": StoredMessage;
  /** The visitor interrupted a reply. */
  "va-interruption": Interruption;
  /** A client tool ran. */
  "va-tool-call": ToolCallDetail;
  /** A runtime error. */
  "va-error": ErrorDetail;
  /** Timings of a finished turn. */
  "va-metrics": TurnMetrics;
  /** A reply finished playing: what was heard of it. */
  "va-playback": PlaybackReport;
}

/** Names of every event the element dispatches. */
export const VOICE_AGENT_EVENTS = [
  "va-state",
  "va-interim",
  "va-transcript",
  "va-message",
  "va-interruption",
  "va-tool-call",
  "va-error",
  "va-metrics",
  "va-playback",
] as const satisfies readonly (keyof VoiceAgentEventMap)[];

/** Dispatches a typed, bubbling, composed event from `target`. */
export function emit<K extends keyof VoiceAgentEventMap>(target: EventTarget, name: K, detail: VoiceAgentEventMap[K]): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    "va-state": CustomEvent<ConversationState>;
    "va-interim": CustomEvent<InterimText>;
    "va-transcript": CustomEvent<TranscriptLine>;
    "va-message": CustomEvent<StoredMessage>;
    "va-interruption": CustomEvent<Interruption>;
    "va-tool-call": CustomEvent<ToolCallDetail>;
    "va-error": CustomEvent<ErrorDetail>;
    "va-metrics": CustomEvent<TurnMetrics>;
    "va-playback": CustomEvent<PlaybackReport>;
  }
}
