/** The conversation's one state union and its pure, table-driven transition function. */
import type { WidgetErrorCode } from "./widget-error.ts";

/** Where the conversation is. `idle` is before the visitor first starts it. */
export type ConversationState =
  | { kind: "idle" }
  | { kind: "initializing" }
  | { kind: "listening" }
  | { kind: "thinking" }
  | { kind: "responding" }
  | { kind: "interrupted" }
  /** The relay could not be reached; the widget is retrying with the same conversation. */
  | { kind: "reconnecting" }
  | { kind: "ended" }
  /** `retryAfterMs`: for `rate-limited`, how long the relay asked to wait. */
  | { kind: "error"; code: WidgetErrorCode; message: string; retryAfterMs?: number };

/** Every state kind, in display order. */
export type ConversationStateKind = ConversationState["kind"];

/** What can happen to the conversation. */
export type ConversationEvent =
  /** The visitor started (or restarted) the conversation. */
  | { type: "start" }
  /** Session and audio are ready, a reply finished, or the connection came back. */
  | { type: "ready" }
  /** The visitor finished an utterance or sent text. */
  | { type: "user-turn" }
  /** The first reply audio or text is out (also the greeting during `initializing`). */
  | { type: "reply-start" }
  | { type: "reply-done" }
  /** The visitor spoke (or typed) over the reply. */
  | { type: "barge-in" }
  | { type: "connection-lost" }
  | { type: "stop" }
  | { type: "fail"; code: WidgetErrorCode; message: string; retryAfterMs?: number };

type Kind = ConversationStateKind;
type Simple = Exclude<ConversationEvent, { type: "fail" }>["type"];

/** event → [the states it applies in, the state it leads to]. */
const TABLE: Record<Simple, readonly [readonly Kind[], Exclude<Kind, "error">]> = {
  start: [["idle", "ended", "error"], "initializing"],
  ready: [["initializing", "interrupted", "reconnecting"], "listening"],
  "user-turn": [["listening", "interrupted"], "thinking"],
  "reply-start": [["initializing", "thinking"], "responding"],
  "reply-done": [["thinking", "responding"], "listening"],
  "barge-in": [["thinking", "responding"], "interrupted"],
  "connection-lost": [["listening", "thinking", "responding", "interrupted"], "reconnecting"],
  stop: [["initializing", "listening", "thinking", "responding", "interrupted", "reconnecting", "error"], "ended"],
};

const FAILABLE: readonly Kind[] = ["initializing", "listening", "thinking", "responding", "interrupted", "reconnecting", "error"];

/** The state after `event`; the same object when the event does not apply in `state`. */
export function transition(state: ConversationState, event: ConversationEvent): ConversationState {
  if (event.type === "fail") {
    if (!FAILABLE.includes(state.kind)) return state;
    const { code, message, retryAfterMs } = event;
    return retryAfterMs === undefined ? { kind: "error", code, message } : { kind: "error", code, message, retryAfterMs };
  }
  const [from, to] = TABLE[event.type];
  return from.includes(state.kind) ? ({ kind: to } as ConversationState) : state;
}

/** Whether a conversation is running (a session is, or is being, held). */
export function isActive(state: ConversationState): boolean {
  return state.kind !== "idle" && state.kind !== "ended" && state.kind !== "error";
}
