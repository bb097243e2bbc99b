import { describe, expect, it } from "vitest";
import { BargeInDetector, type BargeInOptions } from "./barge-in.ts";

type Frame = [probability: number, playing: boolean, levelDb?: number];

/** Runs a script of [probability, playing, level] frames; returns the non-"none" decisions by frame index. */
function run(script: Frame[], options: BargeInOptions = {}): [number, string][] {
  const detector = new BargeInDetector({ warmupMs: 0, ...options });
  const out: [number, string][] = [];
  script.forEach(([p, playing, level], i) => {
    const d = detector.process(p, playing, level);
    if (d.kind !== "none") out.push([i, d.kind]);
  });
  return out;
}

const frames = (p: number, n: number, playing = true): Frame[] => Array.from({ length: n }, () => [p, playing]);
/** `n` frames at `level` dBFS with speech probability `p`, a reply playing. */
const at = (level: number, n: number, p = 0): Frame[] => Array.from({ length: n }, () => [p, true, level]);

describe("BargeInDetector", () => {
  it("never fires while nothing plays, however loud the speech", () => {
    expect(run(frames(0.99, 50, false))).toEqual([]);
  });

  it("holds at the first confident frame and confirms after confirmMs of speech over a reply", () => {
    expect(run([...frames(0.05, 10), ...frames(0.9, 5)], { confirmMs: 96 })).toEqual([
      [10, "hold"],
      [12, "confirm"],
    ]);
  });

  it("holds at the first weak frame (≥ holdThreshold), then confirms on the strong rule", () => {
    // The shape of "Stop, please." in Silero: a weak /s/, the stop's closure, then the vowel.
    const script = [...frames(0, 5), ...frames(0.14, 1), ...frames(0.3, 1), ...frames(0.03, 2), ...frames(0.97, 3)];
    expect(run(script, { holdThreshold: 0.1, confirmMs: 64 })).toEqual([
      [5, "hold"],
      [10, "confirm"],
    ]);
  });

  it("ignores frames below holdThreshold (noise) and does not hold on them", () => {
    expect(run(frames(0.06, 200), { holdThreshold: 0.1 })).toEqual([]);
  });

  it("releases a hold after releaseFrames below holdThreshold, and holds again on the next onset", () => {
    const script = [...frames(0.2, 2), ...frames(0.05, 3), ...frames(0.4, 1), ...frames(0.05, 3)];
    expect(run(script, { holdThreshold: 0.1, releaseFrames: 3 })).toEqual([
      [0, "hold"],
      [4, "release"],
      [5, "hold"],
      [8, "release"],
    ]);
  });

  it("keeps holding through a dip shorter than releaseFrames", () => {
    const script = [...frames(0.2, 1), ...frames(0.02, 2), ...frames(0.2, 1), ...frames(0.02, 2), ...frames(0.9, 2)];
    expect(run(script, { holdThreshold: 0.1, releaseFrames: 3, confirmMs: 64 })).toEqual([
      [0, "hold"],
      [7, "confirm"],
    ]);
  });

  it("once a frame ≥ threshold was heard in the hold, a pause between words keeps it until holdMaxMs", () => {
    // "Stop, please.": one strong frame in "Stop", the comma's pause, then "please" confirms.
    const pause = [...frames(0.2, 1), ...frames(0.9, 1), ...frames(0.02, 6), ...frames(0.9, 2)];
    expect(run(pause, { holdThreshold: 0.1, releaseFrames: 3, confirmMs: 64, holdMaxMs: 320 })).toEqual([
      [0, "hold"],
      [9, "confirm"],
    ]);
    // Silence longer than holdMaxMs after the strong frame releases it (10 frames of 32 ms after frame 1).
    const silence = [...frames(0.2, 1), ...frames(0.9, 1), ...frames(0.02, 12)];
    expect(run(silence, { holdThreshold: 0.1, releaseFrames: 3, confirmMs: 64, holdMaxMs: 320 })).toEqual([
      [0, "hold"],
      [11, "release"],
    ]);
  });

  it("releases a hold after holdMaxMs without a frame ≥ threshold, and does not hold again before silence", () => {
    const script = [...frames(0.5, 20), ...frames(0.02, 3), ...frames(0.5, 1)];
    expect(run(script, { holdThreshold: 0.1, holdMaxMs: 160 })).toEqual([
      [0, "hold"],
      [5, "release"],
      [23, "hold"],
    ]);
  });

  it("runs the hold timeout from the last strong frame, so slow confirmations keep the hold", () => {
    // A strong frame every 4th frame, 0.5 between: the third confirms; never 5 frames without one.
    const script = Array.from({ length: 24 }, (_, i) => [i % 4 === 0 ? 0.9 : 0.5, true] as [number, boolean]);
    expect(run(script, { holdMaxMs: 160, confirmMs: 96 })).toEqual([
      [0, "hold"],
      [8, "confirm"],
    ]);
  });

  it("after a hold times out, holds again on a strong frame and confirms (the strong rule still counts)", () => {
    const script = [...frames(0.5, 6), ...frames(0.9, 2)];
    expect(run(script, { holdMaxMs: 128, confirmMs: 64 })).toEqual([
      [0, "hold"],
      [4, "release"],
      [6, "hold"],
      [7, "confirm"],
    ]);
  });

  it("holds on a sharp level onset before Silero scores the speech", () => {
    // Room noise at −65 dBFS, then "Stop": a fricative Silero scores ~0, the closure, the vowel.
    const script = [...at(-65, 20), ...at(-38, 1), ...at(-30, 1), ...at(-60, 1, 0.02), ...at(-20, 3, 0.9)];
    expect(run(script)).toEqual([
      [20, "hold"],
      [24, "confirm"],
    ]);
  });

  it("needs onsetFrames consecutive loud frames, and no hold below minLevelDb or within onsetDb of the floor", () => {
    const blip = [...at(-65, 10), ...at(-20, 1), ...at(-65, 10)];
    expect(run([...blip, ...blip], { onsetFrames: 2 })).toEqual([]);
    expect(run([...at(-65, 10), ...at(-20, 2)], { onsetFrames: 2 })).toEqual([[11, "hold"]]);
    expect(run([...at(-90, 10), ...at(-60, 10)])).toEqual([]); // +30 dB, but below −55 dBFS
    expect(run([...at(-50, 10), ...at(-35, 10)])).toEqual([]); // above −55 dBFS, but only +15 dB
  });

  it("releases a level hold once the level is back near the floor and Silero heard nothing", () => {
    const script = [...at(-65, 10), ...at(-30, 3), ...at(-65, 3)];
    expect(run(script)).toEqual([
      [10, "hold"],
      [15, "release"],
    ]);
  });

  it("follows a steady new noise with the floor (its 10th percentile over floorWindowMs); the timeout ends its hold", () => {
    const script = [...at(-70, 10), ...at(-40, 400)];
    const decisions = run(script, { holdMaxMs: 320, floorWindowMs: 1500 });
    expect(decisions).toEqual([
      [10, "hold"],
      [20, "release"],
    ]);
  });

  it("after a misfire (released with no strong frame) needs echoMarginDb more level: echo cannot pause the reply over and over", () => {
    // Residual echo at −40 dBFS: it holds the reply, the reply pauses so the echo stops, it resumes…
    const echo = [...at(-40, 2), ...at(-65, 3)];
    expect(run([...at(-65, 10), ...echo, ...echo, ...echo])).toEqual([
      [10, "hold"],
      [14, "release"],
    ]);
    // …while the visitor, louder than the echo, still holds it at once, as does a strong frame at any level.
    expect(run([...at(-65, 10), ...echo, ...at(-30, 1)])).toEqual([
      [10, "hold"],
      [14, "release"],
      [15, "hold"],
    ]);
    expect(run([...at(-65, 10), ...echo, ...at(-40, 1, 0.3), ...at(-40, 1, 0.9)])).toEqual([
      [10, "hold"],
      [14, "release"],
      [16, "hold"],
    ]);
  });

  it("keeps the echo bar while replies play and lets it fall by echoDecayDbPerSecond between them", () => {
    const echo = [...at(-40, 2), ...at(-65, 3)];
    const between = (n: number): Frame[] => Array.from({ length: n }, () => [0, false, -65]);
    expect(run([...at(-65, 10), ...echo, ...at(-65, 100), ...echo]).map(([, k]) => k)).toEqual(["hold", "release"]);
    // 6 dB at 6 dB/s: 1 s, 32 frames of 32 ms.
    expect(run([...at(-65, 10), ...echo, ...between(35), ...echo]).map(([, k]) => k)).toEqual(["hold", "release", "hold", "release"]);
    expect(run([...at(-65, 10), ...echo, ...between(25), ...echo]).map(([, k]) => k)).toEqual(["hold", "release"]);
  });

  it("ignores the level during the warm-up and when onsetFrames is 0", () => {
    const script = [...at(-65, 10), ...at(-30, 5)];
    expect(run(script, { warmupMs: 1000 })).toEqual([]);
    expect(run(script, { onsetFrames: 0 })).toEqual([]);
  });

  it("fires once per reply, and again for the next reply", () => {
    const script = [...frames(0.9, 10), ...frames(0, 3, false), ...frames(0.9, 10)];
    expect(
      run(script, { confirmMs: 64 })
        .filter(([, k]) => k === "confirm")
        .map(([i]) => i),
    ).toEqual([1, 14]);
  });

  it("does not confirm on frames between the thresholds (echo-like probabilities)", () => {
    expect(run(frames(0.6, 40), { holdFrames: 0 })).toEqual([]);
  });

  it("confirms likely speech (≥ likelyThreshold) that lasts likelyConfirmMs once one frame reached threshold", () => {
    // A "Stop, … please" onset as Silero scored it in Chromium's capture path (bench trace): one frame over 0.7.
    const trace = [0, 0, 0, 0, 0.43, 0.72, 0.62, 0.62, 0.63, 0.51, 0.3, 0.03, 0.23, 0.1, 0.04, 0.01, 0, 0, 0, 0, 0, 0, 0.05, 0.51, 0.6];
    const script = trace.map((p) => [p, true] as Frame);
    expect(run(script)).toEqual([
      [4, "hold"],
      [8, "confirm"],
    ]);
    // The strong rule alone waits for the next word (and this trace's second word never reaches 0.7).
    expect(run(script, { likelyConfirmMs: Infinity }).map(([, kind]) => kind)).not.toContain("confirm");
    // Likely frames without a strong one never confirm; neither do they during the warm-up.
    expect(run(frames(0.65, 40)).map(([, kind]) => kind)).not.toContain("confirm");
    expect(run(script, { warmupMs: 10_000 }).map(([, kind]) => kind)).not.toContain("confirm");
  });

  it("holds through frames between the thresholds, so a short dip does not reset the count", () => {
    const script = [...frames(0.9, 1), ...frames(0.5, 3), ...frames(0.9, 1)];
    expect(run(script, { confirmMs: 64 })).toEqual([
      [0, "hold"],
      [4, "confirm"],
    ]);
  });

  it("releases a hold when the reply stops by itself", () => {
    expect(run([...frames(0.9, 1), ...frames(0.9, 1, false)], { confirmMs: 320 })).toEqual([
      [0, "hold"],
      [1, "release"],
    ]);
  });

  it("asks for warmupConfirmMs of speech, and threshold to hold, during the echo canceller's warm-up", () => {
    const options = { warmupMs: 1000, warmupConfirmMs: 320, confirmMs: 64, holdThreshold: 0.1 };
    expect(run([...frames(0.5, 5), ...frames(0.9, 20)], options)).toEqual([
      [5, "hold"],
      [14, "confirm"],
    ]);
    const late = run([...frames(0, 40, false), ...frames(0.5, 1), ...frames(0.9, 5)], options);
    expect(late).toEqual([
      [40, "hold"],
      [42, "confirm"],
    ]);
  });

  it("can confirm without holding (holdFrames 0)", () => {
    expect(run(frames(0.9, 5), { holdFrames: 0, confirmMs: 64 })).toEqual([[1, "confirm"]]);
  });

  it("needs holdFrames weak frames to hold", () => {
    expect(run(frames(0.2, 5), { holdFrames: 3 })).toEqual([[2, "hold"]]);
  });

  it("rearm() allows a new barge-in when the next reply starts without a silent frame in between", () => {
    const d = new BargeInDetector({ warmupMs: 0, confirmMs: 32, holdFrames: 0 });
    expect(d.process(0.9, true).kind).toBe("confirm");
    expect(d.process(0.9, true).kind).toBe("none");
    d.rearm();
    expect(d.process(0.9, true).kind).toBe("confirm");
  });

  it("rearm() forgets a hold: the next reply can be held at once", () => {
    const d = new BargeInDetector({ warmupMs: 0 });
    expect(d.process(0.3, true).kind).toBe("hold");
    d.rearm();
    expect(d.process(0.3, true).kind).toBe("hold");
  });

  it("ignores one-frame dropouts in the floor, so normal noise after one is not an onset", () => {
    expect(run([...at(-50, 60), ...at(-120, 2), ...at(-50, 30)])).toEqual([]);
  });

  it("does not let digital silence (a starting or muted track) pin the noise floor", () => {
    // Zeros, then room noise at −60 dBFS: 60 dB over the zeros, but within onsetDb of the floor's lowest value.
    expect(run([...at(-120, 20), ...at(-60, 50)])).toEqual([]);
    expect(run([...at(-120, 20), ...at(-50, 2)])).toEqual([[20, "hold"]]);
  });

  it("after a timeout still holds on a strong frame", () => {
    const script = [...at(-70, 10), ...at(-40, 12), ...at(-40, 1, 0.9)];
    expect(run(script, { holdMaxMs: 160 })).toEqual([
      [10, "hold"],
      [15, "release"],
      [22, "hold"],
    ]);
  });

  it("reset() forgets the noise floor (a new microphone track)", () => {
    const d = new BargeInDetector({ warmupMs: 0 });
    for (let i = 0; i < 5; i++) d.process(0, true, -80);
    d.reset();
    for (let i = 0; i < 3; i++) expect(d.process(0, true, -30).kind).toBe("none");
  });

  it("reset() restarts the warm-up clock", () => {
    const d = new BargeInDetector({ warmupMs: 64, warmupConfirmMs: 320, confirmMs: 32, holdFrames: 0 });
    for (let i = 0; i < 5; i++) d.process(0, false);
    expect(d.process(0.9, true).kind).toBe("confirm");
    d.reset();
    expect(d.process(0.9, true).kind).toBe("none");
  });

  it("rejects inconsistent options", () => {
    expect(() => new BargeInDetector({ threshold: 0.3, negativeThreshold: 0.5 })).toThrow(/negativeThreshold/);
    expect(() => new BargeInDetector({ releaseFrames: 0 })).toThrow(/releaseFrames/);
    expect(() => new BargeInDetector({ holdThreshold: 0.8 })).toThrow(/holdThreshold/);
    expect(() => new BargeInDetector({ holdThreshold: 0 })).toThrow(/holdThreshold/);
    expect(() => new BargeInDetector({ holdFrames: -1 })).toThrow(/holdFrames/);
    expect(() => new BargeInDetector({ holdMaxMs: 10 })).toThrow(/holdMaxMs/);
    expect(() => new BargeInDetector({ onsetFrames: -1 })).toThrow(/onsetFrames/);
    expect(() => new BargeInDetector({ onsetDb: 0 })).toThrow(/onsetDb/);
    expect(() => new BargeInDetector({ floorWindowMs: 10 })).toThrow(/floorWindowMs/);
    expect(() => new BargeInDetector({ echoDecayDbPerSecond: -1 })).toThrow(/echoDecayDbPerSecond/);
    expect(() => new BargeInDetector({ echoMarginDb: -1 })).toThrow(/echoMarginDb/);
    expect(() => new BargeInDetector({ echoGateDb: -1 })).toThrow(/echoGateDb/);
    expect(() => new BargeInDetector({ echoHangMs: -1 })).toThrow(/echoHangMs/);
  });
});

describe("BargeInDetector with an echo estimate (nearDb)", () => {
  /** A detector that has heard 1.5 s of room noise at −60 dBFS (its floor), a reply playing. */
  function settled(): BargeInDetector {
    const d = new BargeInDetector({ warmupMs: 0 });
    for (let i = 0; i < 50; i++) d.process(0, true, -60, -60);
    return d;
  }

  it("ignores speech the echo estimate explains: the agent's own voice neither holds nor confirms", () => {
    const d = settled();
    // Echo at −30 dBFS, of which the near end is only the room's noise.
    for (let i = 0; i < 30; i++) expect(d.process(0.99, true, -30, -60).kind).toBe("none");
  });

  it("holds and confirms on the near end as before: the visitor over the echo", () => {
    const d = settled();
    expect(d.process(0.99, true, -25, -26).kind).toBe("hold");
    expect(d.process(0.99, true, -25, -26).kind).toBe("confirm");
  });

  it("uses the near-end level for the level cue: a loud echo is no onset, a loud near end is", () => {
    const d = settled();
    expect(d.process(0, true, -30, -58).kind).toBe("none");
    expect(d.process(0, true, -30, -32).kind).toBe("hold");
  });

  it("after echo it needs a loud near end for echoHangMs (Silero's probability lingers)", () => {
    const d = settled();
    d.process(0.99, true, -30, -60); // the echo of a word, gated
    // Its tail: the estimate explains little, the near end is 10 dB over the floor, Silero still high.
    for (let i = 0; i < 8; i++) expect(d.process(0.9, true, -50, -50).kind).toBe("none");
    // Past the hang, the same frame counts.
    expect(d.process(0.9, true, -50, -50).kind).toBe("hold");
  });

  it("a loud near end counts at once, hang or not", () => {
    const d = settled();
    d.process(0.99, true, -30, -60);
    expect(d.process(0.99, true, -25, -25).kind).toBe("hold");
  });

  it("bandOnsetDb: a band rising that far over its floor is an onset the broadband level misses (off by default)", () => {
    const on = settled();
    const off = settled();
    const band = new BargeInDetector({ warmupMs: 0, bandOnsetDb: 12 });
    for (let i = 0; i < 50; i++) band.process(0, true, -60, undefined, 3);
    // −50 dBFS: 10 dB over the floor, not loud by the broadband rule (onsetDb 20).
    expect(off.process(0, true, -50, undefined, 14).kind).toBe("none");
    expect(band.process(0, true, -50, undefined, 11).kind).toBe("none");
    expect(band.process(0, true, -50, undefined, 14).kind).toBe("hold");
    expect(on.process(0, true, -50, undefined, 30).kind).toBe("none");
  });

  it("without nearDb (no reference echoing), behaves as before", () => {
    const d = new BargeInDetector({ warmupMs: 0 });
    for (let i = 0; i < 50; i++) d.process(0, true, -60);
    expect(d.process(0.99, true, -30).kind).toBe("hold");
  });
});
