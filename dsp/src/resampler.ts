/**
 * Streaming band-limited resampler: polyphase windowed-sinc (Kaiser) FIR with the fractional phase
 * carried across calls. Pure and allocation-free on the `process()` path (buffers grow only when a call
 * brings a larger chunk than any before).
 */

export interface ResamplerOptions {
  /** Input rate, Hz. */
  inRate: number;
  /** Output rate, Hz. */
  outRate: number;
  /** Stopband attenuation the filter is designed for, dB. Default 90. */
  attenuationDb?: number;
  /** Transition band width as a fraction of the lower rate, centred on its Nyquist. Default 0.125. */
  transition?: number;
}

const MAX_PHASES = 1024;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Zeroth-order modified Bessel function of the first kind (series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/** Converts a mono stream from one sample rate to another. */
export class Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /** Delay the filter adds, in input samples. */
  readonly latencyInput: number;
  #phases: number;
  #step: number;
  #taps: number;
  #table: Float32Array;
  #buf: Float32Array;
  #len = 0;
  #pos = 0;
  #phase = 0;

  constructor(options: ResamplerOptions) {
    const { inRate, outRate } = options;
    if (!(inRate > 0 && outRate > 0) || !Number.isInteger(inRate) || !Number.isInteger(outRate)) {
      throw new RangeError(`Resampler: rates must be positive integers (got ${inRate} → ${outRate})`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    const g = gcd(inRate, outRate);
    let phases = outRate / g;
    let step = inRate / g;
    if (phases > MAX_PHASES) {
      // Irregular ratio: quantize the phase to MAX_PHASES steps (error < 1/2048 of a sample).
      step = Math.round((inRate / outRate) * MAX_PHASES);
      phases = MAX_PHASES;
    }
    this.#phases = phases;
    this.#step = step;
    const atten = options.attenuationDb ?? 90;
    const minRate = Math.min(inRate, outRate);
    const transition = (options.transition ?? 0.125) * minRate;
    const cutoff = minRate / 2 / inRate; // cycles per input sample
    const width = transition / inRate;
    const beta = atten > 50 ? 0.1102 * (atten - 8.7) : 0.5842 * (atten - 21) ** 0.4 + 0.07886 * (atten - 21);
    const half = Math.ceil((atten - 8) / (2.285 * 2 * Math.PI * width) / 2);
    this.#taps = 2 * half;
    this.latencyInput = half;
    this.#table = new Float32Array(phases * this.#taps);
    const i0beta = besselI0(beta);
    for (let p = 0; p < phases; p++) {
      const frac = p / phases;
      let sum = 0;
      for (let k = 0; k < this.#taps; k++) {
        // tap k multiplies input sample (i - half + 1 + k); its distance from the output time i + frac:
        const tau = frac + half - 1 - k;
        const x = 2 * cutoff * tau;
        const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
        const r = tau / half;
        const w = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0beta;
        const v = 2 * cutoff * sinc * w;
        this.#table[p * this.#taps + k] = v;
        sum += v;
      }
      // unity gain at DC for every phase
      for (let k = 0; k < this.#taps; k++) this.#table[p * this.#taps + k]! /= sum;
    }
    this.#buf = new Float32Array(this.#taps + 4096);
    this.reset();
  }

  /** Upper bound of the samples {@link process} writes for an input of `inputLength` samples. */
  maxOutput(inputLength: number): number {
    return Math.ceil(((inputLength + 1) * this.#phases) / this.#step) + 1;
  }

  /**
   * Consumes `input` and writes the resampled samples to `output` (which must hold
   * {@link maxOutput}`(input.length)`). Returns how many samples were written.
   */
  process(input: Float32Array, output: Float32Array): number {
    this.#append(input);
    const taps = this.#taps;
    const table = this.#table;
    const buf = this.#buf;
    let pos = this.#pos;
    let phase = this.#phase;
    let n = 0;
    while (pos + taps <= this.#len) {
      const base = phase * taps;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += buf[pos + k]! * table[base + k]!;
      output[n++] = acc;
      phase += this.#step;
      while (phase >= this.#phases) {
        phase -= this.#phases;
        pos++;
      }
    }
    this.#pos = pos;
    this.#phase = phase;
    return n;
  }

  /** Pushes the filter's tail out (as if `latencyInput` zeros followed). */
  flush(output: Float32Array): number {
    return this.process(new Float32Array(this.latencyInput), output);
  }

  /** Forgets all history: the next sample starts a new stream. */
  reset(): void {
    this.#buf.fill(0, 0, this.#taps);
    // history of half - 1 zeros so that output 0 is aligned with input 0
    this.#len = this.latencyInput - 1;
    this.#pos = 0;
    this.#phase = 0;
  }

  #append(input: Float32Array): void {
    if (this.#pos > 0) {
      this.#buf.copyWithin(0, this.#pos, this.#len);
      this.#len -= this.#pos;
      this.#pos = 0;
    }
    if (this.#len + input.length > this.#buf.length) {
      const bigger = new Float32Array(this.#len + input.length + this.#taps);
      bigger.set(this.#buf.subarray(0, this.#len));
      this.#buf = bigger;
    }
    this.#buf.set(input, this.#len);
    this.#len += input.length;
  }
}
