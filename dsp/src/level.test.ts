import { describe, expect, it } from "vitest";
import { levelDb } from "./level.ts";

describe("levelDb", () => {
  it("is 0 dBFS for a full-scale square wave, −6 dB at half scale, −120 for silence", () => {
    const square = Float32Array.from({ length: 512 }, (_, i) => (i % 2 ? 1 : -1));
    expect(levelDb(square)).toBeCloseTo(0, 6);
    expect(levelDb(square.map((v) => v / 2))).toBeCloseTo(-6.02, 2);
    expect(levelDb(new Float32Array(512))).toBe(-120);
  });

  it("with blocks, gives the quietest block's level: a short click does not raise it", () => {
    const click = new Float32Array(512);
    click.fill(0.01);
    click.fill(1, 0, 80); // 5 ms at 16 kHz, inside the first of 4 blocks
    expect(levelDb(click)).toBeGreaterThan(-10);
    expect(levelDb(click, 4)).toBeCloseTo(-40, 6);
  });
});
