import { describe, expect, test } from "vitest";
import { levelOf, signOf } from "./launcher.ts";

describe("launcher sign", () => {
  test.each([
    ["idle", false, "idle"],
    ["ended", false, "idle"],
    ["initializing", false, "thinking"],
    ["thinking", false, "thinking"],
    ["reconnecting", false, "thinking"],
    ["listening", false, "listening"],
    ["interrupted", false, "listening"],
    ["listening", true, "idle"],
    ["responding", false, "speaking"],
    ["error", false, "error"],
  ] as const)("%s (typed: %s) shows %s", (kind, typed, sign) => {
    expect(signOf(kind, typed)).toBe(sign);
  });

  test("the level is 0 at −60 dBFS and below, 1 at −20 and above, linear between", () => {
    expect([-120, -60, -40, -20, 0].map(levelOf)).toEqual(["0.00", "0.00", "0.50", "1.00", "1.00"]);
  });
});
