import { describe, expect, it } from "vitest";
import { Resampler } from "./resampler.ts";

function tone(rate: number, hz: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

function resampleAll(r: Resampler, input: Float32Array, chunk = input.length): Float32Array {
  const out = new Float32Array(r.maxOutput(input.length + r.latencyInput) + 16);
  let n = 0;
  for (let at = 0; at < input.length; at += chunk) n += r.process(input.subarray(at, at + chunk), out.subarray(n));
  n += r.flush(out.subarray(n));
  return out.subarray(0, n);
}

/** Power of `x` at `hz` relative to a full-scale sine, dB (least squares fit of sin and cos). */
function levelDb(x: Float32Array, rate: number, hz: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]! * Math.sin((2 * Math.PI * hz * i) / rate);
    c += x[i]! * Math.cos((2 * Math.PI * hz * i) / rate);
  }
  const amplitude = (2 * Math.hypot(s, c)) / x.length;
  return 20 * Math.log10(amplitude);
}

/** Skips the filter's start and end transients. */
function middle(x: Float32Array, rate: number): Float32Array {
  const edge = Math.round(rate * 0.05);
  return x.subarray(edge, x.length - edge);
}

describe("Resampler", () => {
  it("keeps a 1 kHz tone's level and phase from 48 kHz to 16 kHz (SNR ≥ 60 dB vs the ideal tone)", () => {
    const out = middle(resampleAll(new Resampler({ inRate: 48_000, outRate: 16_000 }), tone(48_000, 1000, 1)), 16_000);
    const ideal = middle(tone(16_000, 1000, 1), 16_000);
    let err = 0;
    let sig = 0;
    for (let i = 0; i < out.length; i++) {
      err += (out[i]! - ideal[i]!) ** 2;
      sig += ideal[i]! ** 2;
    }
    expect(10 * Math.log10(sig / err)).toBeGreaterThan(60);
  });

  it("attenuates a 10 kHz tone at 48 kHz by ≥ 70 dB on the way to 16 kHz (it would alias to 6 kHz)", () => {
    const out = middle(resampleAll(new Resampler({ inRate: 48_000, outRate: 16_000 }), tone(48_000, 10_000, 1)), 16_000);
    expect(levelDb(out, 16_000, 6000) - levelDb(tone(16_000, 6000, 1), 16_000, 6000)).toBeLessThan(-70);
  });

  it("produces the same samples whatever the chunking (44.1 kHz → 16 kHz, 128-sample quanta)", () => {
    const input = tone(44_100, 440, 0.5);
    const whole = resampleAll(new Resampler({ inRate: 44_100, outRate: 16_000 }), input);
    const quanta = resampleAll(new Resampler({ inRate: 44_100, outRate: 16_000 }), input, 128);
    expect(quanta.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(quanta[i]).toBeCloseTo(whole[i]!, 6);
  });

  it("keeps the output length at the rate ratio and aligned in time (24 kHz → 48 kHz)", () => {
    const input = tone(24_000, 500, 1);
    const out = resampleAll(new Resampler({ inRate: 24_000, outRate: 48_000 }), input);
    expect(Math.abs(out.length - 48_000)).toBeLessThanOrEqual(2);
    const ideal = tone(48_000, 500, 1);
    for (const i of [12_000, 24_000, 36_000]) expect(out[i]).toBeCloseTo(ideal[i]!, 3);
  });

  it("rejects rates that are not positive integers", () => {
    expect(() => new Resampler({ inRate: 0, outRate: 16_000 })).toThrow(/positive integers/);
    expect(() => new Resampler({ inRate: 44_100.5, outRate: 16_000 })).toThrow(/positive integers/);
  });
});
