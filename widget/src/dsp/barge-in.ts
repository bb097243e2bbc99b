/**
 * Barge-in detector: a pure stage over VAD frame probabilities and the playback state. While a reply
 * plays it asks for stronger evidence than a plain speech onset (the agent's own voice may leak back
 * through the speakers), and it splits the decision in two: duck the reply at the first confident
 * frames, then stop it once the speech is confirmed, or restore it if the onset was a misfire.
 */

/** Options of {@link BargeInDetector}; durations in ms. */
export interface BargeInOptions {
  /** Duration of one VAD frame. Default 32 (Silero v5 at 16 kHz). */
  frameMs?: number;
  /** Probability a frame needs to count as visitor speech while a reply plays. Default 0.7. */
  threshold?: number;
  /** Probability below which a frame counts as silence (misfire evidence). Default 0.35. */
  negativeThreshold?: number;
  /** Speech frames (≥ `threshold`) that duck the reply. Default 1. 0 disables ducking. */
  duckFrames?: number;
  /** Speech (≥ `threshold`, pauses between the thresholds allowed) that confirms a barge-in. Default 64. */
  confirmMs?: number;
  /**
   * Stream time after the detector starts during which the echo canceller is still adapting, and
   * `warmupConfirmMs` applies instead of `confirmMs`. Default 2000.
   */
  warmupMs?: number;
  /** Speech needed to confirm during the warm-up. Default 320. */
  warmupConfirmMs?: number;
  /** Silent frames (< `negativeThreshold`) that cancel a pending onset and restore a ducked reply. Default 3. */
  releaseFrames?: number;
}

/** What one frame decided. `duck` and `release` come in pairs; `confirm` means stop the reply now. */
export type BargeInDecision = { kind: "none" } | { kind: "duck" } | { kind: "confirm" } | { kind: "release" };

const NONE: BargeInDecision = { kind: "none" };
const DUCK: BargeInDecision = { kind: "duck" };
const CONFIRM: BargeInDecision = { kind: "confirm" };
const RELEASE: BargeInDecision = { kind: "release" };

/** Decides, frame by frame, whether the visitor is talking over the reply. */
export class BargeInDetector {
  #o: Required<BargeInOptions>;
  #frames = 0;
  #speech = 0;
  #silence = 0;
  #ducked = false;
  #fired = false;

  constructor(options: BargeInOptions = {}) {
    this.#o = {
      frameMs: 32,
      threshold: 0.7,
      negativeThreshold: 0.35,
      duckFrames: 1,
      confirmMs: 64,
      warmupMs: 2000,
      warmupConfirmMs: 320,
      releaseFrames: 3,
      ...options,
    };
    const o = this.#o;
    if (!(o.frameMs > 0)) throw new RangeError("BargeInDetector: frameMs must be > 0");
    if (!(o.negativeThreshold <= o.threshold)) throw new RangeError("BargeInDetector: negativeThreshold must be ≤ threshold");
    if (!(o.confirmMs > 0 && o.warmupConfirmMs > 0)) throw new RangeError("BargeInDetector: confirmMs and warmupConfirmMs must be > 0");
    if (!(o.releaseFrames >= 1)) throw new RangeError("BargeInDetector: releaseFrames must be ≥ 1");
  }

  /** Speech frames a confirmation needs at the current stream time. */
  get #needed(): number {
    const o = this.#o;
    const ms = this.#frames * o.frameMs < o.warmupMs ? o.warmupConfirmMs : o.confirmMs;
    return Math.max(1, Math.ceil(ms / o.frameMs));
  }

  /** Feeds one frame's speech probability (0…1) and whether a reply is playing (or about to). */
  process(probability: number, playing: boolean): BargeInDecision {
    const o = this.#o;
    const needed = this.#needed;
    this.#frames++;
    if (!playing) {
      const wasDucked = this.#ducked;
      this.#clear();
      this.#fired = false;
      return wasDucked ? RELEASE : NONE;
    }
    if (this.#fired) return NONE;
    if (probability >= o.threshold) {
      this.#speech++;
      this.#silence = 0;
      if (this.#speech >= needed) {
        this.#fired = true;
        this.#ducked = false;
        return CONFIRM;
      }
      if (!this.#ducked && o.duckFrames > 0 && this.#speech >= o.duckFrames) {
        this.#ducked = true;
        return DUCK;
      }
      return NONE;
    }
    if (probability < o.negativeThreshold && this.#speech > 0 && ++this.#silence >= o.releaseFrames) {
      const wasDucked = this.#ducked;
      this.#clear();
      return wasDucked ? RELEASE : NONE;
    }
    return NONE;
  }

  /** A different reply started playing: a barge-in may fire again (the warm-up clock keeps running). */
  rearm(): void {
    this.#clear();
    this.#fired = false;
  }

  /** Forgets everything, including the warm-up clock (a new microphone track). */
  reset(): void {
    this.#clear();
    this.#fired = false;
    this.#frames = 0;
  }

  #clear(): void {
    this.#speech = 0;
    this.#silence = 0;
    this.#ducked = false;
  }
}
