import { describe, expect, it } from "vitest";
import { EchoEstimator, type EchoFrame } from "./echo-estimator.ts";

const RATE = 16_000;

/** Seeded noise in −1…1. */
function noise(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) * 2 - 1;
}

/**
 * Speech-like test signal: "syllables" of 80–250 ms of noise through a resonance that changes per
 * syllable (so the bands' envelopes differ), with pauses of 30–400 ms between them, RMS ≈ −20 dBFS.
 */
function babble(seconds: number, seed: number): Float32Array {
  const out = new Float32Array(seconds * RATE);
  const rnd = noise(seed);
  const u = () => (rnd() + 1) / 2;
  let at = 0;
  while (at < out.length) {
    const len = Math.floor((0.08 + 0.17 * u()) * RATE);
    const f = 300 + 2500 * u();
    const r = 0.97;
    const c = 2 * r * Math.cos((2 * Math.PI * f) / RATE);
    let y1 = 0;
    let y2 = 0;
    for (let i = 0; i < len && at + i < out.length; i++) {
      const env = Math.sin((Math.PI * i) / len);
      const y = rnd() + c * y1 - r * r * y2;
      y2 = y1;
      y1 = y;
      out[at + i] = 0.02 * env * y;
    }
    at += len + Math.floor((0.03 + 0.37 * u()) * RATE);
  }
  return out;
}

/** Runs the estimator over 512-sample frames of `mic`, feeding `reference` on the same timeline first. */
function run(estimator: EchoEstimator, reference: Float32Array | undefined, mic: Float32Array, from = 0): EchoFrame[] {
  const frames: EchoFrame[] = [];
  for (let at = 0; at + 512 <= mic.length; at += 512) {
    if (reference) estimator.pushReference(reference.subarray(at, at + 512), from + at);
    frames.push({ ...estimator.process(mic.subarray(at, at + 512), from + at) });
  }
  return frames;
}

/** `x` delayed by `ms` and scaled by `gain`, over room noise at −70 dBFS. */
function echoOf(x: Float32Array, ms: number, gain: number): Float32Array {
  const d = Math.round((ms * RATE) / 1000);
  const rnd = noise(99);
  return x.map((_, i) => (i >= d ? x[i - d]! * gain : 0) + rnd() * 0.0005);
}

describe("EchoEstimator", () => {
  it("explains the echo of the reference at a known delay and gain: the near end stays ≥ 15 dB under the level", () => {
    const reply = babble(8, 1);
    const frames = run(new EchoEstimator(), reply, echoOf(reply, 100, 0.1)).slice(125); // after 4 s
    const loud = frames.filter((f) => f.levelDb > -50);
    expect(loud.length).toBeGreaterThan(20);
    for (const f of loud) {
      expect(f.kind).toBe("echo");
      expect(f.nearDb).toBeLessThan(f.levelDb - 15);
    }
  });

  it("lets speech over the echo through: frames where the visitor is louder than the echo keep their level", () => {
    const reply = babble(10, 2);
    const echo = echoOf(reply, 60, 0.1);
    // The visitor, 10 dB above the echo on average, from 6 s to 9 s.
    const visitor = new Float32Array(echo.length);
    visitor.set(
      babble(3, 3).map((v) => v * 0.316),
      6 * RATE,
    );
    const frames = run(
      new EchoEstimator(),
      reply,
      echo.map((v, i) => v + visitor[i]!),
    );
    const power = (x: Float32Array, f: number) => x.subarray(f * 512, f * 512 + 512).reduce((a, v) => a + v * v, 0);
    const louder = frames.filter((_, f) => power(visitor, f) > 4 * power(echo, f) && power(visitor, f) > 512 * 1e-5);
    expect(louder.length).toBeGreaterThan(20);
    const through = louder.filter((f) => f.nearDb > f.levelDb - 3).length;
    expect(through / louder.length).toBeGreaterThan(0.9);
  });

  it.each([10, 100, 250])("converges on the delay (%i ms) within one 8 ms block", (ms) => {
    const reply = babble(6, 4);
    const estimator = new EchoEstimator();
    expect(estimator.delayMs).toBeUndefined();
    run(estimator, reply, echoOf(reply, ms, 0.3));
    expect(Math.abs(estimator.delayMs! - ms)).toBeLessThanOrEqual(8);
  });

  it("is idle, the whole frame near end, while nothing has played", () => {
    const mic = babble(2, 5);
    for (const f of run(new EchoEstimator(), undefined, mic)) {
      expect(f.kind).toBe("idle");
      expect(f.nearDb).toBe(f.levelDb);
    }
  });

  it("treats a gap in the reference as silence: idle again once the echo's span has passed", () => {
    const reply = babble(4, 6);
    const estimator = new EchoEstimator();
    run(estimator, reply, echoOf(reply, 50, 0.1));
    // Reference stops; the microphone goes on with room noise only. After maxDelayMs + tailMs (650 ms) it is idle.
    const quiet = echoOf(new Float32Array(RATE), 0, 0);
    const frames = run(estimator, undefined, quiet, 4 * RATE);
    expect(frames.at(-1)!.kind).toBe("idle");
  });

  it("reset forgets the path, the delay and the reference", () => {
    const reply = babble(6, 7);
    const estimator = new EchoEstimator();
    run(estimator, reply, echoOf(reply, 100, 0.1));
    expect(estimator.delayMs).toBeDefined();
    estimator.reset();
    expect(estimator.delayMs).toBeUndefined();
    // The same stream again from index 0: nothing remembered, so it behaves as a fresh estimator.
    const fresh = run(new EchoEstimator(), reply, echoOf(reply, 100, 0.1));
    const again = run(estimator, reply, echoOf(reply, 100, 0.1));
    expect(again).toEqual(fresh);
  });

  it("bandRiseDb shows a high-frequency onset that the broadband level hides (a /s/ in low-frequency noise)", () => {
    const rnd = noise(11);
    // Low-frequency noise (a one-pole low-pass at ≈ 300 Hz) at ≈ −30 dBFS for 2 s, then 64 ms of a quiet
    // 4 kHz hiss (≈ −36 dBFS).
    let y = 0;
    const mic = Float32Array.from({ length: 2 * RATE + 1024 }, (_, i) => {
      y = 0.89 * y + 0.11 * rnd();
      return 0.35 * y + (i >= 2 * RATE ? 0.03 * Math.sin((2 * Math.PI * 4000 * i) / RATE) * (1 + 0.2 * rnd()) : 0);
    });
    const frames = run(new EchoEstimator(), undefined, mic);
    const before = frames[Math.floor((2 * RATE) / 512) - 2]!;
    const after = frames.at(-1)!;
    expect(after.levelDb - before.levelDb).toBeLessThan(3);
    expect(after.bandRiseDb).toBeGreaterThan(12);
    expect(Math.max(...frames.slice(20, -3).map((f) => f.bandRiseDb))).toBeLessThan(8);
  });

  it("rejects frames of the wrong size or off the 128-sample grid, and bad options", () => {
    const estimator = new EchoEstimator();
    expect(() => estimator.process(new Float32Array(480), 0)).toThrow(RangeError);
    expect(() => estimator.process(new Float32Array(512), 100)).toThrow(RangeError);
    expect(() => estimator.pushReference(new Float32Array(10), -1)).toThrow(RangeError);
    expect(() => new EchoEstimator({ overestimate: 0.5 })).toThrow(RangeError);
    expect(() => new EchoEstimator({ referenceCapacity: 5000 })).toThrow(RangeError);
  });
});
