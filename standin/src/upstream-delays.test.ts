import { describe, expect, it } from "vitest";
import { resolveLatency } from "./latency-profile.ts";
import { sleep, UpstreamDelays } from "./upstream-delays.ts";

const clock = { now: () => 0, sleep };
const draws = (delays: UpstreamDelays) => Array.from({ length: 200 }, () => delays.firstToken());

describe("UpstreamDelays", () => {
  it("computes each stage from the profile", () => {
    const delays = new UpstreamDelays(resolveLatency({ ...resolveLatency("typical-cloud"), jitter: 0 }), clock);
    expect(delays.transcription(2000)).toBe(300);
    expect(delays.firstToken()).toBe(350);
    expect(delays.nextToken()).toBe(15);
    expect(delays.firstByte()).toBe(200);
    expect(delays.speech(100)).toBeCloseTo(100 / 3);
    expect(new UpstreamDelays(resolveLatency(), clock).speech(100)).toBe(0);
  });

  it("jitters within ± the fraction, the same way for the same seed", () => {
    const profile = resolveLatency("typical-cloud");
    const a = draws(new UpstreamDelays(profile, clock));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(350 * 0.8);
    expect(Math.max(...a)).toBeLessThanOrEqual(350 * 1.2);
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(350 * 0.3);
    expect(draws(new UpstreamDelays(profile, clock))).toEqual(a);
    expect(draws(new UpstreamDelays({ ...profile, seed: 2 }, clock))).not.toEqual(a);
  });

  it("waits until a time on its clock, and not at all once aborted", async () => {
    const waits: number[] = [];
    const delays = new UpstreamDelays(resolveLatency(), { now: () => 1000, sleep: async (ms) => void waits.push(ms) });
    await delays.until(1250);
    expect(waits).toEqual([250]);
    const abort = new AbortController();
    const pending = sleep(60_000, abort.signal);
    abort.abort();
    await pending;
  });
});
