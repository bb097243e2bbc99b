import { afterEach, describe, expect, it, vi } from "vitest";
import { IdleWatch } from "./idle-watch.ts";

afterEach(() => vi.useRealTimers());

describe("IdleWatch", () => {
  it("ends a call idle for the timeout; activity starts it again", () => {
    vi.useFakeTimers();
    const idle = vi.fn();
    const watch = new IdleWatch({ idleTimeoutMs: 5000, now: () => Date.now(), keepAlive: () => {}, idle });
    watch.active();
    vi.advanceTimersByTime(4000);
    watch.active();
    vi.advanceTimersByTime(4999);
    expect(idle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(idle).toHaveBeenCalledTimes(1);
    watch.active();
    watch.stop();
    vi.advanceTimersByTime(10_000);
    expect(idle).toHaveBeenCalledTimes(1);
  });

  it.each([
    [120_000, 5000],
    [5000, 1250],
  ])("keeps a busy call's session alive: idle timeout %i ms, at most one keep-alive per %i ms", (idleTimeoutMs, every) => {
    let now = 1_000_000;
    const keepAlive = vi.fn();
    const watch = new IdleWatch({ idleTimeoutMs, now: () => now, keepAlive, idle: () => {} });
    const at: number[] = [];
    keepAlive.mockImplementation(() => at.push(now));
    // Activity every 100 ms for two idle timeouts.
    for (let t = 0; t <= 2 * idleTimeoutMs; t += 100, now += 100) watch.active();
    watch.stop();
    const gaps = at.slice(1).map((a, i) => a - at[i]!);
    // The first activity once `every` has passed (activity comes every 100 ms).
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(every);
    expect(Math.max(...gaps)).toBeLessThan(every + 100);
    // The session's clock never waits anywhere near a whole idle timeout for the next keep-alive.
    expect(Math.max(...gaps)).toBeLessThan(idleTimeoutMs / 3);
  });
});
