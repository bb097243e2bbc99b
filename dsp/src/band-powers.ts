/**
 * Short-time band powers: a Hann-windowed radix-2 FFT of one window, its power summed into bands
 * spaced roughly on the auditory scale. Preallocated; `compute()` allocates nothing.
 */

/** Upper FFT bin (exclusive) of each band for a 256-point window at 16 kHz (62.5 Hz per bin), 62.5 Hz–8 kHz. */
const BAND_EDGES_256 = [2, 4, 6, 9, 13, 18, 25, 34, 46, 62, 84, 129] as const;

/** Computes the mean power (mean square per sample, as `levelDb` measures it) of a window in bands. */
export class BandPowers {
  /** Window length, samples (256). */
  readonly size = 256;
  /** Number of bands (12). */
  readonly bands = BAND_EDGES_256.length;
  #window = new Float64Array(256);
  #re = new Float64Array(256);
  #im = new Float64Array(256);
  #cos = new Float64Array(128);
  #sin = new Float64Array(128);
  #bitrev = new Uint16Array(256);
  #norm: number;

  constructor() {
    const n = this.size;
    let energy = 0;
    for (let i = 0; i < n; i++) {
      this.#window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
      energy += this.#window[i]! ** 2;
    }
    for (let i = 0; i < n / 2; i++) {
      this.#cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.#sin[i] = -Math.sin((2 * Math.PI * i) / n);
    }
    for (let i = 0, bits = Math.log2(n); i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#bitrev[i] = r;
    }
    // Parseval: Σ|X|² over all bins = n·Σ(x·w)²; white noise of variance σ² gives σ²·Σw² per window.
    this.#norm = 1 / (n * energy);
  }

  /**
   * Writes the band powers of `source[from … from + 256)` into `out[0 … bands)` (indices outside `source`
   * read as 0). The one-sided spectrum is doubled, so the bands sum to the window's mean power.
   */
  compute(source: Float32Array, from: number, out: Float64Array, outAt = 0): void {
    const n = this.size;
    const re = this.#re;
    const im = this.#im;
    for (let i = 0; i < n; i++) {
      const k = from + i;
      const v = k >= 0 && k < source.length ? source[k]! : 0;
      const j = this.#bitrev[i]!;
      re[j] = v * this.#window[i]!;
      im[j] = 0;
    }
    for (let half = 1; half < n; half *= 2) {
      const step = n / (2 * half);
      for (let start = 0; start < n; start += 2 * half) {
        for (let k = 0; k < half; k++) {
          const c = this.#cos[k * step]!;
          const s = this.#sin[k * step]!;
          const a = start + k;
          const b = a + half;
          const tr = re[b]! * c - im[b]! * s;
          const ti = re[b]! * s + im[b]! * c;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
    let bin = 1;
    for (let b = 0; b < BAND_EDGES_256.length; b++) {
      let sum = 0;
      for (; bin < BAND_EDGES_256[b]!; bin++) sum += (re[bin]! ** 2 + im[bin]! ** 2) * (bin === n / 2 ? 1 : 2);
      out[outAt + b] = sum * this.#norm;
    }
  }
}
