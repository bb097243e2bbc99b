import { describe, expect, it } from "vitest";
import { BargeInDetector, type BargeInOptions } from "./barge-in.ts";

/** Runs a script of [probability, playing] frames; returns the non-"none" decisions by frame index. */
function run(script: [number, boolean][], options: BargeInOptions = {}): [number, string][] {
  const detector = new BargeInDetector({ warmupMs: 0, ...options });
  const out: [number, string][] = [];
  script.forEach(([p, playing], i) => {
    const d = detector.process(p, playing);
    if (d.kind !== "none") out.push([i, d.kind]);
  });
  return out;
}

const frames = (p: number, n: number, playing = true): [number, boolean][] => Array.from({ length: n }, () => [p, playing] as [number, boolean]);

describe("BargeInDetector", () => {
  it("never fires while nothing plays, however loud the speech", () => {
    expect(run(frames(0.99, 50, false))).toEqual([]);
  });

  it("ducks at the first confident frame and confirms after confirmMs of speech over a reply", () => {
    expect(run([...frames(0.05, 10), ...frames(0.9, 5)], { confirmMs: 96 })).toEqual([
      [10, "duck"],
      [12, "confirm"],
    ]);
  });

  it("fires once per reply, and again for the next reply", () => {
    const script = [...frames(0.9, 10), ...frames(0, 3, false), ...frames(0.9, 10)];
    expect(run(script, { confirmMs: 64 }).filter(([, k]) => k === "confirm").map(([i]) => i)).toEqual([1, 14]);
  });

  it("ignores frames between the thresholds and below `threshold` (echo-like probabilities)", () => {
    expect(run(frames(0.6, 40))).toEqual([]);
  });

  it("holds through frames between the thresholds, so a short dip does not reset the count", () => {
    const script = [...frames(0.9, 1), ...frames(0.5, 3), ...frames(0.9, 1)];
    expect(run(script, { confirmMs: 64 })).toEqual([
      [0, "duck"],
      [4, "confirm"],
    ]);
  });

  it("releases a ducked reply after releaseFrames of silence (a misfire), then starts counting afresh", () => {
    const script = [...frames(0.9, 1), ...frames(0.1, 3), ...frames(0.9, 1), ...frames(0.1, 3)];
    expect(run(script, { confirmMs: 96, releaseFrames: 3 })).toEqual([
      [0, "duck"],
      [3, "release"],
      [4, "duck"],
      [7, "release"],
    ]);
  });

  it("releases a ducked reply when the reply stops by itself", () => {
    expect(run([...frames(0.9, 1), ...frames(0.9, 1, false)], { confirmMs: 320 })).toEqual([
      [0, "duck"],
      [1, "release"],
    ]);
  });

  it("asks for warmupConfirmMs of speech during the echo canceller's warm-up, confirmMs after it", () => {
    const early = run(frames(0.9, 20), { warmupMs: 1000, warmupConfirmMs: 320, confirmMs: 64 });
    expect(early).toEqual([
      [0, "duck"],
      [9, "confirm"],
    ]);
    const late = run([...frames(0, 40, false), ...frames(0.9, 5)], { warmupMs: 1000, warmupConfirmMs: 320, confirmMs: 64 });
    expect(late).toEqual([
      [40, "duck"],
      [41, "confirm"],
    ]);
  });

  it("can confirm without ducking (duckFrames 0)", () => {
    expect(run(frames(0.9, 5), { duckFrames: 0, confirmMs: 64 })).toEqual([[1, "confirm"]]);
  });

  it("rearm() allows a new barge-in when the next reply starts without a silent frame in between", () => {
    const d = new BargeInDetector({ warmupMs: 0, confirmMs: 32, duckFrames: 0 });
    expect(d.process(0.9, true).kind).toBe("confirm");
    expect(d.process(0.9, true).kind).toBe("none");
    d.rearm();
    expect(d.process(0.9, true).kind).toBe("confirm");
  });

  it("reset() restarts the warm-up clock", () => {
    const d = new BargeInDetector({ warmupMs: 64, warmupConfirmMs: 320, confirmMs: 32, duckFrames: 0 });
    for (let i = 0; i < 5; i++) d.process(0, false);
    expect(d.process(0.9, true).kind).toBe("confirm");
    d.reset();
    expect(d.process(0.9, true).kind).toBe("none");
  });

  it("rejects inconsistent options", () => {
    expect(() => new BargeInDetector({ threshold: 0.3, negativeThreshold: 0.5 })).toThrow(/negativeThreshold/);
    expect(() => new BargeInDetector({ releaseFrames: 0 })).toThrow(/releaseFrames/);
  });
});
