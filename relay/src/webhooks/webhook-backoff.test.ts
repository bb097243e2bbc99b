import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, nextAttemptAt } from "./webhook-backoff.ts";

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;

describe("nextAttemptAt", () => {
  it.each([
    // failed attempts, now (after creation), random → delay
    [1, 0, 0.5, 5000],
    [2, 0, 0.5, 10_000],
    [5, 0, 0.5, 80_000],
    [1, 0, 0, 4000],
    [1, 0, 0.999_999, 6000],
    [11, 0, 0.5, HOUR], // 5 s · 2^10 = 85 min: capped at 1 h
    [60, 0, 0.5, HOUR],
  ])("after %i failed attempts: 5 s doubling, capped at 1 h, ±20 %% jitter", (failed, since, random, delay) => {
    expect(nextAttemptAt(failed, T0, T0 + since, DEFAULT_RETRY_POLICY, random)).toBe(T0 + since + delay);
  });

  it("gives the end of the 24 h a last attempt, then fails", () => {
    expect(nextAttemptAt(30, T0, T0 + 23.5 * HOUR, DEFAULT_RETRY_POLICY, 0.5)).toBe(T0 + 24 * HOUR);
    expect(nextAttemptAt(31, T0, T0 + 24 * HOUR, DEFAULT_RETRY_POLICY, 0.5)).toBe("failed");
  });

  it("makes about 30 attempts in 24 h with the defaults", () => {
    let attempts = 0;
    for (let next: number | "failed" = T0; next !== "failed"; attempts++) {
      next = nextAttemptAt(attempts + 1, T0, next, DEFAULT_RETRY_POLICY, 0.5);
    }
    expect(attempts).toBeGreaterThanOrEqual(28);
    expect(attempts).toBeLessThanOrEqual(35);
  });
});
