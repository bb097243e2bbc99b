/**
 * Echo path delay from band powers: the lag at which the microphone's band-power envelope best follows
 * the reference's. Each band's log power minus its running mean (clamped to ±4 nepers, ≈ ±35 dB) is
 * correlated with the reference's at every lag, accumulated with a few seconds' memory. Scale-free (the
 * echo's gain does not matter), indifferent to phase and to the visitor's voice (uncorrelated with the
 * reference, it averages out). Preallocated; used by {@link EchoEstimator}.
 */

/** Lag estimator over blocks of band powers. */
export class EchoDelay {
  #nb: number;
  #lags: number;
  #ref: Float64Array; // normalized reference features, ring of #lags blocks
  #refMean: Float64Array;
  #micMean: Float64Array;
  #score: Float64Array;
  #mic: Float64Array; // the current block's normalized microphone features
  #updates = 0;
  #seen = 0;

  /** `bands` per block, `lags` blocks (lag 0 … lags − 1). */
  constructor(bands: number, lags: number) {
    this.#nb = bands;
    this.#lags = lags;
    this.#ref = new Float64Array(bands * lags);
    this.#refMean = new Float64Array(bands);
    this.#micMean = new Float64Array(bands);
    this.#score = new Float64Array(lags);
    this.#mic = new Float64Array(bands);
  }

  /**
   * Adds block `t`: the reference's band powers `ref[refAt …]` and the microphone's `mic[0 …]`. `learn`:
   * the reference played within the modelled span and the visitor is not talking over it, so the lags'
   * scores learn from this block.
   */
  push(t: number, ref: Float64Array, refAt: number, mic: Float64Array, learn: boolean): void {
    const nb = this.#nb;
    const lags = this.#lags;
    const slot = (t % lags) * nb;
    const a = this.#seen < 50 ? 1 / ++this.#seen : 0.02;
    for (let b = 0; b < nb; b++) {
      const r = Math.log(ref[refAt + b]! + 1e-10);
      const m = Math.log(mic[b]! + 1e-10);
      if (learn) this.#refMean[b] = this.#refMean[b]! + (r - this.#refMean[b]!) * a;
      this.#micMean[b] = this.#micMean[b]! + (m - this.#micMean[b]!) * a;
      this.#ref[slot + b] = Math.max(-4, Math.min(4, r - this.#refMean[b]!));
      this.#mic[b] = Math.max(-4, Math.min(4, m - this.#micMean[b]!));
    }
    if (!learn) return;
    this.#updates++;
    for (let l = 0; l < lags; l++) {
      const s = ((t - l + lags * 1024) % lags) * nb;
      let sum = 0;
      for (let b = 0; b < nb; b++) sum += this.#mic[b]! * this.#ref[s + b]!;
      this.#score[l] = this.#score[l]! * 0.998 + sum;
    }
  }

  /** Blocks that have updated the scores. */
  get updates(): number {
    return this.#updates;
  }

  /** The best-scoring lag, blocks (−1 before any update). */
  get lag(): number {
    let best = -1;
    let bestScore = 0;
    for (let l = 0; l < this.#lags; l++) if (this.#score[l]! > bestScore) [bestScore, best] = [this.#score[l]!, l];
    return best;
  }

  /** Forgets everything. */
  reset(): void {
    this.#ref.fill(0);
    this.#refMean.fill(0);
    this.#micMean.fill(0);
    this.#score.fill(0);
    this.#updates = 0;
    this.#seen = 0;
  }
}
