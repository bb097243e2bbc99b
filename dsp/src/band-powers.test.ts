import { describe, expect, it } from "vitest";
import { BandPowers } from "./band-powers.ts";
import { levelDb } from "./level.ts";

describe("BandPowers", () => {
  it("sums to the window's mean power (white noise: within 1 dB of levelDb)", () => {
    let s = 3;
    const x = Float32Array.from(
      { length: 256 * 64 },
      () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648) * 0.2 - 0.1,
    );
    const bands = new BandPowers();
    const out = new Float64Array(bands.bands);
    let total = 0;
    for (let at = 0; at < x.length; at += 256) {
      bands.compute(x, at, out);
      total += out.reduce((a, v) => a + v, 0);
    }
    expect(10 * Math.log10(total / 64)).toBeCloseTo(levelDb(x), 0);
  });

  it("puts a 1 kHz tone in the band holding bin 16 (937.5–1125 Hz: band 5)", () => {
    const x = Float32Array.from({ length: 256 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16_000));
    const bands = new BandPowers();
    const out = new Float64Array(bands.bands);
    bands.compute(x, 0, out);
    const loudest = out.indexOf(Math.max(...out));
    expect(loudest).toBe(5);
    expect(out[loudest]! / out.reduce((a, v) => a + v, 0)).toBeGreaterThan(0.95);
  });

  it("reads samples outside the source as silence", () => {
    const bands = new BandPowers();
    const out = new Float64Array(bands.bands).fill(1);
    bands.compute(new Float32Array(100), -50, out);
    expect(Array.from(out)).toEqual(new Array(bands.bands).fill(0));
  });
});
