import { describe, expect, it } from "vitest";
import { canTransition, isTerminal, predecessorsOf, SESSION_STATUSES } from "./session-status.ts";

describe("session status machine", () => {
  const valid = new Set([
    "pending>active",
    "pending>failed",
    "pending>timeout",
    "pending>cancelled",
    "active>completed",
    "active>failed",
    "active>timeout",
    "active>cancelled",
  ]);
  for (const from of SESSION_STATUSES) {
    for (const to of SESSION_STATUSES) {
      const expected = valid.has(`${from}>${to}`);
      it(`${from} → ${to} is ${expected ? "valid" : "invalid"}`, () => expect(canTransition(from, to)).toBe(expected));
    }
  }

  it("derives predecessors and terminal statuses from the table", () => {
    expect(predecessorsOf("active")).toEqual(["pending"]);
    expect(predecessorsOf("completed")).toEqual(["active"]);
    expect(predecessorsOf("timeout")).toEqual(["pending", "active"]);
    expect(SESSION_STATUSES.filter(isTerminal)).toEqual(["completed", "failed", "timeout", "cancelled"]);
  });
});
