/** Zero crossings of the sinc on each side of the centre tap. */
const HALF_TAPS = 16;

interface Kernel {
  up: number;
  down: number;
  /** `up` phases × `2 * HALF_TAPS` taps, phase-major. */
  taps: Float32Array;
}

const kernels = new Map<string, Kernel>();

/**
 * Resamples mono 16-bit audio from `fromRate` to `toRate` (Hz) with a polyphase windowed-sinc
 * filter (32 taps per phase, Blackman window, cutoff at 95% of the lower Nyquist frequency).
 * Output length is `floor(input.length * toRate / fromRate)`. Samples outside the input are zero.
 */
export function resample(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return input.slice();
  const { up, down, taps } = kernelFor(fromRate, toRate);
  const width = 2 * HALF_TAPS;
  const out = new Int16Array(Math.floor((input.length * up) / down));
  for (let n = 0; n < out.length; n++) {
    const pos = n * down;
    const centre = Math.floor(pos / up);
    const phase = pos - centre * up;
    const base = phase * width;
    const first = centre - HALF_TAPS + 1;
    let acc = 0;
    for (let k = 0; k < width; k++) {
      const i = first + k;
      if (i >= 0 && i < input.length) acc += (input[i] ?? 0) * (taps[base + k] ?? 0);
    }
    out[n] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return out;
}

function kernelFor(fromRate: number, toRate: number): Kernel {
  const key = `${fromRate}:${toRate}`;
  const cached = kernels.get(key);
  if (cached) return cached;
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  // Cutoff in cycles per input sample; below 0.5 when downsampling to keep out aliases.
  const cutoff = 0.5 * Math.min(1, toRate / fromRate) * 0.95;
  const width = 2 * HALF_TAPS;
  const taps = new Float32Array(up * width);
  for (let phase = 0; phase < up; phase++) {
    const frac = phase / up;
    let sum = 0;
    for (let k = 0; k < width; k++) {
      // Distance (in input samples) from the output instant to input tap `k`.
      const t = k - HALF_TAPS + 1 - frac;
      const x = 2 * cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = blackman((t + HALF_TAPS) / (2 * HALF_TAPS));
      const tap = 2 * cutoff * sinc * w;
      taps[phase * width + k] = tap;
      sum += tap;
    }
    // Normalise each phase to unity DC gain so no phase ripples the level.
    for (let k = 0; k < width; k++) taps[phase * width + k] = (taps[phase * width + k] ?? 0) / sum;
  }
  const kernel = { up, down, taps };
  kernels.set(key, kernel);
  return kernel;
}

/** Blackman window on [0, 1]; zero outside. */
function blackman(u: number): number {
  if (u <= 0 || u >= 1) return 0;
  return 0.42 - 0.5 * Math.cos(2 * Math.PI * u) + 0.08 * Math.cos(4 * Math.PI * u);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
