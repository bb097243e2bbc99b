import { describe, expect, it } from "vitest";
import type { FrameTiming } from "../src/audio/audio-engine.ts";
import { contextFrameOf, findLag, quantile, stampJitter } from "./latency-timeline.ts";

const timing = (index: number, endFrame: number): FrameTiming => ({ index, endFrame, receivedFrame: endFrame, decidedFrame: endFrame });

describe("latency timeline", () => {
  it("finds where a source segment sits in a captured stream (the fake device's start offset)", () => {
    let seed = 1;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
    const source = Float32Array.from({ length: 4000 }, (_, i) => (i >= 1000 && i < 2000 ? Math.sin(i / 7) * Math.sin(i / 90) : 0));
    // The capture starts 37 samples into the file, at a lower level, with noise added.
    const captured = Float32Array.from({ length: 4000 }, (_, k) => 0.5 * (source[k + 37] ?? 0) + noise() * 0.1);
    expect(findLag(source, captured, 900, 2100, -200, 200).lag).toBe(-37);
  });

  it("maps a captured 16 kHz sample to the context frame of its frame's stamp, minus what follows it", () => {
    const timings = [timing(0, 1535), timing(1, 3071)]; // 48 kHz: 1536 context frames per VAD frame
    expect(contextFrameOf(511, timings, 48_000)).toBe(1535);
    expect(contextFrameOf(512, timings, 48_000)).toBe(3071 - 511 * 3);
    expect(contextFrameOf(2048, timings, 48_000)).toBeNaN();
    expect(stampJitter(timings, 48_000)).toBe(0);
    expect(stampJitter([...timings, timing(2, 4700)], 48_000)).toBe(93);
  });

  it("takes the nearest-rank quantile", () => {
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([5, 1, 4, 2, 3], 0.95)).toBe(5);
  });
});
