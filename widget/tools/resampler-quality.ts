/** Helpers that measure the resampler offline (tests and the benchmark). */
import { Resampler } from "@voice-agent/dsp";

/** Resamples a whole signal, flushing the filter's tail, so output i is aligned with input time i. */
export function resampleWhole(input: Float32Array, inRate: number, outRate: number): Float32Array {
  const r = new Resampler({ inRate, outRate });
  const out = new Float32Array(r.maxOutput(input.length + r.latencyInput) + 16);
  let n = r.process(input, out);
  n += r.flush(out.subarray(n));
  return out.subarray(0, n);
}

/** SNR of `x` against `reference` over their common middle (`edge` samples skipped at both ends), dB. */
export function snrDb(x: Float32Array, reference: Float32Array, edge: number): number {
  let sig = 0;
  let err = 0;
  const end = Math.min(x.length, reference.length) - edge;
  for (let i = edge; i < end; i++) {
    sig += reference[i]! ** 2;
    err += (x[i]! - reference[i]!) ** 2;
  }
  return 10 * Math.log10(sig / err);
}

/** Amplitude of `x` at `hz` relative to full scale, dB (least-squares fit of a sine and a cosine). */
export function toneLevelDb(x: Float32Array, rate: number, hz: number): number {
  let s = 0;
  let c = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]! * Math.sin((2 * Math.PI * hz * i) / rate);
    c += x[i]! * Math.cos((2 * Math.PI * hz * i) / rate);
  }
  return 20 * Math.log10((2 * Math.hypot(s, c)) / x.length);
}
