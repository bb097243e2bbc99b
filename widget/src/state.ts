/** The conversation's one state union and its pure transition function. */
import type { WidgetErrorCode } from "./widget-error.ts";

/** Where the conversation is. `idle` is before the visitor first starts it. */
export type ConversationState =
  | { kind: "idle" }
  | { kind: "initializing" }
  | { kind: "listening" }
  | { kind: "thinking" }
  | { kind: "responding" }
  | { kind: "interrupted" }
  | { kind: "ended" }
  | { kind: "error"; code: WidgetErrorCode; message: string };

/** What can happen to the conversation. */
export type ConversationEvent =
  | { type: "start" }
  | { type: "ready" }
  | { type: "user-turn" }
  | { type: "reply-start" }
  | { type: "reply-done" }
  | { type: "barge-in" }
  | { type: "stop" }
  | { type: "fail"; code: WidgetErrorCode; message: string };

/** The state after `event`; the same object when the event does not apply in `state`. */
export function transition(state: ConversationState, event: ConversationEvent): ConversationState {
  switch (event.type) {
    case "start":
      return state.kind === "idle" || state.kind === "ended" || state.kind === "error" ? { kind: "initializing" } : state;
    case "ready":
      return state.kind === "initializing" || state.kind === "interrupted" ? { kind: "listening" } : state;
    case "user-turn":
      return state.kind === "listening" ? { kind: "thinking" } : state;
    case "reply-start":
      return state.kind === "thinking" ? { kind: "responding" } : state;
    case "reply-done":
      return state.kind === "thinking" || state.kind === "responding" ? { kind: "listening" } : state;
    case "barge-in":
      return state.kind === "responding" ? { kind: "interrupted" } : state;
    case "stop":
      return state.kind === "idle" || state.kind === "ended" ? state : { kind: "ended" };
    case "fail":
      return state.kind === "idle" || state.kind === "ended" ? state : { kind: "error", code: event.code, message: event.message };
  }
}
