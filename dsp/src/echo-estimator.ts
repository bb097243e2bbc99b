/**
 * Echo estimator: predicts how much of each microphone frame is the agent's own reply coming back
 * through the speakers and the room, from the exact samples the widget played (the reference). A pure
 * stage: no clocks, no I/O, preallocated.
 *
 * Model: both signals are cut into 8 ms blocks (256-sample Hann windows every 128 samples at 16 kHz)
 * and summed into 12 bands. Per band, the echo's power is a non-negative combination of the reference's
 * power over a window of lags (an echo path's delay, gain and reverberation in one power-domain filter),
 * adapted by normalized LMS while the reference plays and the microphone does not hear clearly more than
 * the model predicts (the visitor talking over the reply). The window spans all lags up to
 * `maxDelayMs + tailMs` until {@link EchoDelay} knows the delay, then [delay − 16 ms, delay + tailMs].
 * Working on powers, not waveforms, makes it indifferent to phase, to small clock drift and to a small
 * speaker's mild distortion, and cheap (≈ 0.1 ms per 32 ms frame in Node). What the model does not
 * explain is the near end: the visitor (and the room's noise). Decision record 0010.
 */
import { BandPowers } from "./band-powers.ts";
import { EchoDelay } from "./echo-delay.ts";
import { levelDb } from "./level.ts";

export interface EchoEstimatorOptions {
  /** Longest echo path delay modelled (the reference's timeline → the microphone's), ms. Default 250. */
  maxDelayMs?: number;
  /** Reverberation modelled after the delay, ms. Default 400. */
  tailMs?: number;
  /** NLMS step size, 0 < μ ≤ 1 (halved once trained). Default 0.3. */
  stepSize?: number;
  /**
   * Factor on the predicted echo power before it is taken from the microphone's power, per band: the
   * safety margin of the near-end estimate. Default 2 (3 dB).
   */
  overestimate?: number;
  /**
   * Once trained, a block whose power above the noise floor exceeds the predicted echo by this factor
   * is double talk and does not adapt the model. Default 2 (3 dB).
   */
  doubleTalkFactor?: number;
  /** Blocks of adaptation (8 ms each, while the reference plays) before the double-talk rule applies. Default 125 (1 s). */
  trainBlocks?: number;
  /** Reference samples kept ahead of and behind the microphone, a power of two. Default 32768 (2 s at 16 kHz). */
  referenceCapacity?: number;
}

/** The defaults of {@link EchoEstimatorOptions}. */
export const ECHO_ESTIMATOR_DEFAULTS: Readonly<Required<EchoEstimatorOptions>> = {
  maxDelayMs: 250,
  tailMs: 400,
  stepSize: 0.3,
  overestimate: 4,
  doubleTalkFactor: 2,
  trainBlocks: 125,
  referenceCapacity: 32_768,
};

/**
 * One microphone frame, as {@link EchoEstimator.process} saw it. Levels in dBFS, sustained (the
 * quietest 8 ms block's, as `levelDb(frame, 4)`), at least −120. `bandRiseDb`: the largest rise, dB, of a
 * band's sustained near-end power (562 Hz–8 kHz) over that band's noise floor. The object is reused:
 * read it before the next call.
 */
export type EchoFrame =
  /** Nothing played within the modelled span: the whole frame is near end (`nearDb === levelDb`). */
  | { kind: "idle"; levelDb: number; nearDb: number; bandRiseDb: number }
  /**
   * The reply may be echoing. `echoDb`: predicted echo level (mean power over the frame, not
   * sustained); `nearDb`: `levelDb` scaled by the share of the frame's power that the predicted echo
   * (× `overestimate`, band by band) does not explain, never below the room's noise; `delayMs`: the
   * echo path's delay, once known (else `undefined`).
   */
  | { kind: "echo"; levelDb: number; nearDb: number; echoDb: number; delayMs: number | undefined; bandRiseDb: number };

const RATE = 16_000;
const BLOCK = 128;
const FRAME = 512;
/** Reference energy (sum of band powers over the modelled span) below which nothing is echoing: −100 dBFS. */
const SILENT = 1e-10;
/** Blocks (8 ms) before and after a block whose predictions the near end is judged against. */
const SPREAD = 4;
const RING = SPREAD + 1;
/** First band of `bandRiseDb` (562 Hz): below it live hum and most of pink noise's power. */
const RISE_FROM_BAND = 4;

/** Predicts the agent's echo in each microphone frame from the played reference. */
export class EchoEstimator {
  #o: Required<EchoEstimatorOptions>;
  #bands: BandPowers;
  #nb: number;
  #lags: number;
  // Reference samples on the capture timeline: a ring holding [#refEnd − capacity, #refEnd).
  #ref: Float32Array;
  #refEnd = 0;
  #refWindow = new Float32Array(256);
  // Microphone: the previous frame's last block, then the current frame.
  #mic = new Float32Array(BLOCK + FRAME);
  #nextIndex = -1;
  // Reference band powers per block, a ring of #lags blocks (block t at (t mod #lags)·#nb).
  #refPow: Float64Array;
  #lastBlock = -1;
  #weights: Float64Array; // [band · #lags + lag]
  #noise: Float64Array;
  #smooth: Float64Array;
  #past: Float64Array; // the last RING blocks' predictions per band, a ring
  #spread: Float64Array;
  #nearMin: Float64Array; // per band, the frame's quietest block of near-end power
  #refMean: Float64Array; // mean reference power per band while adapting (regularizes the NLMS step)
  #micPow: Float64Array;
  #echoPow: Float64Array;
  #trained = 0;
  #delay: EchoDelay;
  // The lags the model uses: all of them until the delay is known, then [delay − 16 ms, delay + tailMs].
  #lo = 0;
  #hi = 0;
  #tailBlocks: number;
  #lag = -1; // the lag the window is placed around (−1: not yet)
  #row: Float64Array;
  #idle: Extract<EchoFrame, { kind: "idle" }> = { kind: "idle", levelDb: -120, nearDb: -120, bandRiseDb: -120 };
  #echo: Extract<EchoFrame, { kind: "echo" }> = {
    kind: "echo",
    levelDb: -120,
    nearDb: -120,
    echoDb: -120,
    delayMs: undefined,
    bandRiseDb: -120,
  };

  constructor(options: EchoEstimatorOptions = {}) {
    this.#o = { ...ECHO_ESTIMATOR_DEFAULTS, ...options };
    const o = this.#o;
    const checks: [boolean, string][] = [
      [o.maxDelayMs >= 0 && o.tailMs >= 0, "maxDelayMs and tailMs must be ≥ 0"],
      [o.stepSize > 0 && o.stepSize <= 1, "stepSize must be in (0, 1]"],
      [o.overestimate >= 1 && o.doubleTalkFactor > 1, "overestimate must be ≥ 1 and doubleTalkFactor > 1"],
      [o.trainBlocks >= 0, "trainBlocks must be ≥ 0"],
      [
        o.referenceCapacity >= 4096 && (o.referenceCapacity & (o.referenceCapacity - 1)) === 0,
        "referenceCapacity must be a power of two ≥ 4096",
      ],
    ];
    for (const [ok, rule] of checks) if (!ok) throw new RangeError(`EchoEstimator: ${rule}`);
    this.#bands = new BandPowers();
    this.#nb = this.#bands.bands;
    this.#lags = Math.ceil(((o.maxDelayMs + o.tailMs) * RATE) / 1000 / BLOCK) + 1;
    this.#ref = new Float32Array(o.referenceCapacity);
    this.#refPow = new Float64Array(this.#lags * this.#nb);
    this.#weights = new Float64Array(this.#lags * this.#nb);
    this.#noise = new Float64Array(this.#nb).fill(Infinity);
    this.#smooth = new Float64Array(this.#nb);
    this.#past = new Float64Array(RING * this.#nb);
    this.#spread = new Float64Array(this.#nb);
    this.#nearMin = new Float64Array(this.#nb);
    this.#refMean = new Float64Array(this.#nb);
    this.#delay = new EchoDelay(this.#nb, this.#lags);
    this.#tailBlocks = Math.ceil((o.tailMs * RATE) / 1000 / BLOCK);
    this.#hi = this.#lags - 1;
    this.#row = new Float64Array(this.#lags);
    this.#micPow = new Float64Array(this.#nb);
    this.#echoPow = new Float64Array(this.#nb);
  }

  /**
   * Adds reference samples: what the playback actually rendered, resampled to 16 kHz mono, starting at
   * sample `index` of the microphone's 16 kHz timeline (the sample the capture took at the moment this
   * one left the output, before the unknown echo path). Feed it before, or with, the microphone frame
   * that covers the same samples (it may lead by up to `referenceCapacity` samples): a frame reads the
   * reference from 128 samples before its start to its end, and samples arriving after that frame was
   * processed are ignored. A gap between blocks is silence (nothing played); overlapping samples replace
   * what was there.
   */
  pushReference(samples: Float32Array, index: number): void {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`EchoEstimator: reference index must be an integer ≥ 0 (got ${index})`);
    const cap = this.#ref.length;
    const mask = cap - 1;
    // Silence in a gap (only the part the ring still holds matters); the ring starts as silence.
    for (let i = Math.max(this.#refEnd, index - cap); i < index; i++) this.#ref[i & mask] = 0;
    const from = Math.max(0, this.#refEnd - cap - index);
    for (let i = from; i < samples.length; i++) this.#ref[(index + i) & mask] = samples[i]!;
    this.#refEnd = Math.max(this.#refEnd, index + samples.length);
  }

  /**
   * Judges one microphone frame: 512 samples at 16 kHz (32 ms) starting at sample `index` of the
   * capture timeline, a multiple of 128. Frames are expected in order; after a gap the model keeps its
   * path estimate.
   */
  process(frame: Float32Array, index: number): EchoFrame {
    if (frame.length !== FRAME) throw new RangeError(`EchoEstimator: a frame is ${FRAME} samples (got ${frame.length})`);
    if (!Number.isInteger(index) || index < 0 || index % BLOCK !== 0)
      throw new RangeError(`EchoEstimator: frame index must be a multiple of ${BLOCK} (got ${index})`);
    const mic = this.#mic;
    if (index !== this.#nextIndex) mic.fill(0, 0, BLOCK);
    else mic.copyWithin(0, FRAME, FRAME + BLOCK);
    mic.set(frame, BLOCK);
    this.#nextIndex = index + FRAME;
    const level = levelDb(frame, 4);
    const o = this.#o;
    const nb = this.#nb;
    const lags = this.#lags;
    this.#placeWindow();
    const lo = this.#lo;
    const hi = this.#hi;
    let nearSum = 0;
    let micSum = 0;
    let echoSum = 0;
    let active = false;
    for (let j = 0; j < FRAME / BLOCK; j++) {
      const end = index + (j + 1) * BLOCK;
      const t = end / BLOCK;
      this.#addReferenceBlock(t, end);
      this.#bands.compute(mic, j * BLOCK, this.#micPow);
      // Prediction, and the regressors' energy per band (for the NLMS normalization).
      let refEnergy = 0;
      let echo = 0;
      let micTotal = 0;
      let above = 0;
      const slot = (t % RING) * nb;
      for (let b = 0; b < nb; b++) {
        let e = 0;
        for (let l = lo; l <= hi; l++) {
          const r = this.#refPow[((t - l + lags * 1024) % lags) * nb + b]!;
          e += this.#weights[b * lags + l]! * r;
          refEnergy += r;
        }
        this.#echoPow[b] = e;
        // The near end is judged against the largest prediction within ±SPREAD blocks: a word's echo
        // may start or end off the model's timing. Ahead, from the reference already here.
        let spread = e;
        for (let k = 1; k <= SPREAD; k++) {
          let lead = 0;
          for (let l = Math.max(lo, k); l <= hi; l++)
            lead += this.#weights[b * lags + l]! * this.#refPow[((t + k - l + lags * 1024) % lags) * nb + b]!;
          spread = Math.max(spread, lead, this.#past[((t - k + RING * 1024) % RING) * nb + b]!);
        }
        this.#past[slot + b] = e;
        this.#spread[b] = spread;
        echo += e;
        const m = this.#micPow[b]!;
        micTotal += m;
        // Noise floor per band: the minimum of the band power smoothed over ≈ 3 blocks (a raw block's
        // minimum sits 5–10 dB under a noise's mean), falling at once, rising ≈ 2 dB/s.
        const smooth = (this.#smooth[b] = this.#smooth[b]! === 0 ? m : this.#smooth[b]! * 0.7 + m * 0.3);
        this.#noise[b] = smooth < this.#noise[b]! ? smooth : this.#noise[b]! * 1.0036;
        // What clearly stands out of the noise (3 dB over its floor, which sits under its mean).
        above += Math.max(0, m - 2 * this.#noise[b]!);
      }
      const echoing = refEnergy > SILENT;
      active ||= echoing;
      const doubleTalk = this.#trained >= o.trainBlocks && above > o.doubleTalkFactor * echo;
      this.#delay.push(t, this.#refPow, (t % lags) * nb, this.#micPow, echoing && !doubleTalk);
      // Double talk adapts too, 50 times slower: a model left too low (a louder echo path, a slow
      // start) must still catch up, and a visitor's few seconds barely move it.
      if (echoing) this.#adapt(t, doubleTalk ? 0.02 : 1);
      let near = 0;
      // The room's noise is near end too: the estimate never goes below it (nor above the microphone).
      for (let b = 0; b < nb; b++) {
        const n = Math.max(Math.min(this.#micPow[b]!, this.#noise[b]!), this.#micPow[b]! - o.overestimate * this.#spread[b]!);
        near += n;
        this.#nearMin[b] = j === 0 ? n : Math.min(this.#nearMin[b]!, n);
      }
      nearSum += Math.min(near, micTotal);
      micSum += micTotal;
      echoSum += echo;
    }
    // The largest sustained rise of a band (from 562 Hz) over its noise floor: a fricative's onset
    // in low-frequency noise (pink, hum) that the broadband level does not show.
    let rise = 0;
    for (let b = RISE_FROM_BAND; b < nb; b++) rise = Math.max(rise, this.#nearMin[b]! / Math.max(this.#noise[b]!, 1e-13));
    const riseDb = rise > 0 ? 10 * Math.log10(rise) : -120;
    if (!active) {
      this.#idle.levelDb = level;
      this.#idle.nearDb = level;
      this.#idle.bandRiseDb = riseDb;
      return this.#idle;
    }
    const r = this.#echo;
    r.levelDb = level;
    // The sustained level scaled by the frame's near-end share of its power.
    r.nearDb = Math.max(-120, level + 10 * Math.log10(micSum > 0 ? Math.max(nearSum / micSum, 1e-12) : 1));
    r.echoDb = Math.max(-120, 10 * Math.log10(echoSum / (FRAME / BLOCK) + 1e-12));
    r.delayMs = this.delayMs;
    r.bandRiseDb = riseDb;
    return r;
  }

  /** The echo path's delay as the model sees it (its strongest lag), ms; `undefined` until trained. */
  get delayMs(): number | undefined {
    const lag = this.#delay.lag;
    return this.#delay.updates < this.#o.trainBlocks || lag < 0 ? undefined : (lag * BLOCK * 1000) / RATE;
  }

  /** Forgets the echo path, the reference and the noise floor (a new microphone track or output device). */
  reset(): void {
    this.#ref.fill(0);
    this.#refEnd = 0;
    this.#mic.fill(0);
    this.#nextIndex = -1;
    this.#refPow.fill(0);
    this.#lastBlock = -1;
    this.#weights.fill(0);
    this.#noise.fill(Infinity);
    this.#smooth.fill(0);
    this.#past.fill(0);
    this.#refMean.fill(0);
    this.#trained = 0;
    this.#delay.reset();
    this.#lo = 0;
    this.#hi = this.#lags - 1;
    this.#lag = -1;
  }

  /**
   * Narrows the model to the lags around the delay once it is known (weights outside are dropped and
   * the model trains again), and moves it, learnt shape and all, when the delay moves by more than one
   * block.
   */
  #placeWindow(): void {
    if (this.#delay.updates < this.#o.trainBlocks) return;
    const lag = this.#delay.lag;
    if (lag < 0 || (this.#lag >= 0 && Math.abs(lag - this.#lag) <= 1)) return;
    const lags = this.#lags;
    const lo = Math.max(0, lag - 2);
    const hi = Math.min(lags - 1, lag + this.#tailBlocks);
    const shift = this.#lag < 0 ? 0 : lag - this.#lag;
    if (this.#lag < 0) this.#trained = 0;
    const row = this.#row;
    for (let b = 0; b < this.#nb; b++) {
      row.fill(0);
      for (let l = lo; l <= hi; l++) {
        const from = l - shift;
        if (from >= this.#lo && from <= this.#hi) row[l] = this.#weights[b * lags + from]!;
      }
      this.#weights.set(row, b * lags);
    }
    this.#lag = lag;
    this.#lo = lo;
    this.#hi = hi;
  }

  /** Band powers of the reference window ending at sample `end` (block `t`), and of any blocks skipped since the last. */
  #addReferenceBlock(t: number, end: number): void {
    const nb = this.#nb;
    const lags = this.#lags;
    if (this.#lastBlock >= 0 && t <= this.#lastBlock) return;
    // Skipped blocks (a gap in the microphone's frames) hold no reference.
    for (let s = Math.max(this.#lastBlock + 1, t - lags); s < t; s++) this.#refPow.fill(0, (s % lags) * nb, (s % lags) * nb + nb);
    this.#lastBlock = t;
    const w = this.#refWindow;
    const mask = this.#ref.length - 1;
    let any = false;
    for (let i = 0; i < 256; i++) {
      const k = end - 256 + i;
      const v = k >= 0 && k >= this.#refEnd - this.#ref.length && k < this.#refEnd ? this.#ref[k & mask]! : 0;
      w[i] = v;
      any ||= v !== 0;
    }
    if (any) this.#bands.compute(w, 0, this.#refPow, (t % lags) * nb);
    else this.#refPow.fill(0, (t % lags) * nb, (t % lags) * nb + nb);
  }

  /** One NLMS step (`rate` × the step size) per band towards the microphone's power above its noise floor at block `t`. */
  #adapt(t: number, rate: number): void {
    const nb = this.#nb;
    const lags = this.#lags;
    const mu = this.#o.stepSize * rate * (this.#trained >= this.#o.trainBlocks ? 0.5 : 1);
    const lo = this.#lo;
    const hi = this.#hi;
    const trained = this.#trained >= this.#o.trainBlocks;
    this.#trained++;
    for (let b = 0; b < nb; b++) {
      const r0 = this.#refPow[(t % lags) * nb + b]!;
      this.#refMean[b] = this.#refMean[b]! + (r0 - this.#refMean[b]!) * 0.01;
      // Regularized by the band's usual reference power: a band the reply barely uses (or a fade's
      // first block) must not take a huge step on a tiny regressor.
      let norm = (hi - lo + 1) * 0.1 * Math.max(this.#refMean[b]!, 1e-8) ** 2;
      for (let l = lo; l <= hi; l++) norm += this.#refPow[((t - l + lags * 1024) % lags) * nb + b]! ** 2;
      let err = Math.max(0, this.#micPow[b]! - this.#noise[b]!) - this.#echoPow[b]!;
      // Once trained, one block may raise a band's prediction by at most μ: a word of double talk that
      // slips past the rule cannot make the model overshoot (which would hide the visitor).
      if (trained) err = Math.min(err, this.#echoPow[b]!);
      const g = (mu * err) / norm;
      for (let l = lo; l <= hi; l++) {
        const i = b * lags + l;
        this.#weights[i] = Math.max(0, this.#weights[i]! + g * this.#refPow[((t - l + lags * 1024) % lags) * nb + b]!);
      }
    }
  }
}
