import { describe, expect, it } from "vitest";
import { transition, type ConversationEvent, type ConversationState } from "./state.ts";

const s = (kind: Exclude<ConversationState["kind"], "error">): ConversationState => ({ kind }) as ConversationState;
const fail: ConversationEvent = { type: "fail", code: "upstream", message: "boom" };

describe("transition", () => {
  const table: [ConversationState, ConversationEvent, ConversationState["kind"]][] = [
    [s("idle"), { type: "start" }, "initializing"],
    [s("ended"), { type: "start" }, "initializing"],
    [{ kind: "error", code: "upstream", message: "x" }, { type: "start" }, "initializing"],
    [s("listening"), { type: "start" }, "listening"],
    [s("initializing"), { type: "ready" }, "listening"],
    [s("listening"), { type: "user-turn" }, "thinking"],
    [s("thinking"), { type: "user-turn" }, "thinking"],
    [s("thinking"), { type: "reply-start" }, "responding"],
    [s("responding"), { type: "reply-done" }, "listening"],
    [s("thinking"), { type: "reply-done" }, "listening"],
    [s("responding"), { type: "barge-in" }, "interrupted"],
    [s("listening"), { type: "barge-in" }, "listening"],
    [s("interrupted"), { type: "ready" }, "listening"],
    [s("responding"), { type: "stop" }, "ended"],
    [s("idle"), { type: "stop" }, "idle"],
    [s("thinking"), fail, "error"],
    [s("ended"), fail, "ended"],
  ];
  it.each(table)("%o + %o → %s", (state, event, kind) => {
    expect(transition(state, event).kind).toBe(kind);
  });

  it("returns the same object when nothing changes (no spurious state events)", () => {
    const listening = s("listening");
    expect(transition(listening, { type: "reply-start" })).toBe(listening);
  });

  it("carries the error code", () => {
    expect(transition(s("listening"), fail)).toEqual({ kind: "error", code: "upstream", message: "boom" });
  });
});
