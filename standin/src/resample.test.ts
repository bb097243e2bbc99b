import { describe, expect, it } from 'vitest';
import { resample } from './resample.ts';

function sine(hz: number, rate: number, seconds: number, amplitude = 10_000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}

/** RMS error against an ideal sine, ignoring the filter's edge transients. */
function errorAgainstSine(signal: Int16Array, hz: number, rate: number, amplitude: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 64; i < signal.length - 64; i++) {
    const ideal = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
    sum += ((signal[i] ?? 0) - ideal) ** 2;
    n++;
  }
  return Math.sqrt(sum / n);
}

describe('resample', () => {
  it('turns 22.05 kHz into 24 kHz with the expected length', () => {
    expect(resample(new Int16Array(22_050), 22_050, 24_000)).toHaveLength(24_000);
    expect(resample(new Int16Array(441), 22_050, 24_000)).toHaveLength(480);
  });

  it.each([440, 3000, 9000])('keeps a %d Hz tone in tune and at level', (hz) => {
    const out = resample(sine(hz, 22_050, 0.5), 22_050, 24_000);
    // Within 1% of the amplitude; linear interpolation misses by ~5% at 3 kHz and ~37% at 9 kHz.
    expect(errorAgainstSine(out, hz, 24_000, 10_000)).toBeLessThan(100);
  });

  it('rejects content above the target Nyquist when downsampling', () => {
    const out = resample(sine(11_000, 48_000, 0.5), 48_000, 16_000);
    const rms = Math.sqrt(out.slice(64, -64).reduce((sum, x) => sum + x * x, 0) / (out.length - 128));
    expect(rms).toBeLessThan(10_000 / Math.SQRT2 / 10);
  });
});
