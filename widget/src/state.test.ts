import { describe, expect, it } from "vitest";
import { transition, type ConversationEvent, type ConversationState, type ConversationStateKind } from "./state.ts";

const KINDS: ConversationStateKind[] = [
  "idle",
  "initializing",
  "listening",
  "thinking",
  "responding",
  "interrupted",
  "reconnecting",
  "ended",
  "error",
];
const state = (kind: ConversationStateKind): ConversationState =>
  kind === "error" ? { kind, code: "upstream", message: "x" } : ({ kind } as ConversationState);
const fail: ConversationEvent = { type: "fail", code: "rate-limited", message: "slow down" };

// Expected next state for each event, one column per state in KINDS order ("·" = unchanged).
//                     idle            initializing  listening     thinking      responding    interrupted   reconnecting  ended           error
const MATRIX: [ConversationEvent, string][] = [
  [
    { type: "start" },
    "initializing   ·             ·             ·             ·             ·             ·             initializing    initializing",
  ],
  [
    { type: "ready" },
    "·              listening     ·             ·             ·             listening     listening     ·               ·",
  ],
  [
    { type: "user-turn" },
    "·          ·             thinking      ·             ·             thinking      ·             ·               ·",
  ],
  [
    { type: "reply-start" },
    "·        responding    ·             responding    ·             ·             ·             ·               ·",
  ],
  [
    { type: "reply-done" },
    "·         ·             ·             listening     listening     ·             ·             ·               ·",
  ],
  [
    { type: "barge-in" },
    "·           ·             ·             interrupted   interrupted   ·             ·             ·               ·",
  ],
  [
    { type: "connection-lost" },
    "·    ·             reconnecting  reconnecting  reconnecting  reconnecting  ·             ·               ·",
  ],
  [
    { type: "stop" },
    "·               ended         ended         ended         ended         ended         ended         ·               ended",
  ],
  [
    fail,
    "·                           error         error         error         error         error         error         ·               error",
  ],
];

describe("transition", () => {
  const cases = MATRIX.flatMap(([event, row]) => {
    const cells = row.trim().split(/\s+/);
    return KINDS.map((kind, i) => [kind, event.type, cells[i] === "·" ? kind : cells[i], event] as const);
  });

  it.each(cases)("%s + %s → %s", (kind, _type, expected, event) => {
    expect(transition(state(kind), event).kind).toBe(expected);
  });

  it("returns the same object when the event does not apply (no spurious state events)", () => {
    const listening = state("listening");
    expect(transition(listening, { type: "reply-start" })).toBe(listening);
  });

  it("carries the error code and message", () => {
    expect(transition(state("thinking"), fail)).toEqual({ kind: "error", code: "rate-limited", message: "slow down" });
  });
});
