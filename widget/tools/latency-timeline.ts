/**
 * Latency measurement on one clock, the AudioContext's: a fixture's known speech positions are found
 * in the captured 16 kHz stream (Chromium's fake device starts the file when capture opens, at an
 * offset that varies per run), and captured samples are mapped to context frames through the capture
 * worklet's per-frame stamps.
 */
import type { FrameTiming } from "../src/audio/audio-engine.ts";

/** Samples per VAD frame at 16 kHz. */
export const FRAME = 512;

/**
 * Lag (captured index − source index) in `minLag…maxLag` that maximizes the normalized
 * cross-correlation of `source[from, to)` with the captured stream.
 */
export function findLag(
  source: Float32Array,
  captured: ArrayLike<number>,
  from: number,
  to: number,
  minLag: number,
  maxLag: number,
): { lag: number; score: number } {
  let best = { lag: 0, score: -Infinity };
  let sourceEnergy = 0;
  for (let t = from; t < to; t++) sourceEnergy += source[t]! ** 2;
  for (let lag = minLag; lag <= maxLag; lag++) {
    if (from + lag < 0 || to + lag > captured.length) continue;
    let dot = 0;
    let energy = 0;
    for (let t = from; t < to; t++) {
      const c = captured[t + lag]!;
      dot += source[t]! * c;
      energy += c * c;
    }
    const score = dot / Math.sqrt(sourceEnergy * energy + 1e-12);
    if (score > best.score) best = { lag, score };
  }
  return best;
}

/**
 * Context frame at which captured 16 kHz sample `k` left the resampler: the stamp of the frame that
 * holds it, minus the samples after it in that frame (at the context rate).
 */
export function contextFrameOf(k: number, timings: FrameTiming[], rate: number): number {
  const m = Math.floor(k / FRAME);
  const t = timings[m];
  if (!t) return Number.NaN;
  return t.endFrame - ((FRAME - 1 - (k % FRAME)) * rate) / 16_000;
}

/** Largest deviation of consecutive frame stamps from 512 samples at 16 kHz, in context frames (0: no gap). */
export function stampJitter(timings: FrameTiming[], rate: number): number {
  let worst = 0;
  for (let i = 1; i < timings.length; i++)
    worst = Math.max(worst, Math.abs(timings[i]!.endFrame - timings[i - 1]!.endFrame - (FRAME * rate) / 16_000));
  return worst;
}

/** p-quantile (nearest rank below) of `xs`. */
export function quantile(xs: number[], q: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
}
