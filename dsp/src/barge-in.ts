/**
 * Barge-in detector: a pure stage over VAD frame probabilities, frame levels and the playback state.
 * It splits the decision in two. At the first weak sign of speech over a reply (a sharp rise of the
 * level above the mic's running noise floor, or a low speech probability) it puts the reply on hold:
 * playback pauses where the visitor stopped hearing it, nothing is dropped. Stronger evidence, as while
 * the agent speaks its own voice may leak back through the speakers, then confirms the barge-in (stop
 * the reply), or silence or a timeout releases the hold (the reply resumes from where it paused).
 */

/** Options of {@link BargeInDetector}; durations in ms, probabilities 0…1. */
export interface BargeInOptions {
  /** Duration of one VAD frame. Default 32 (Silero v5 at 16 kHz). */
  frameMs?: number;
  /** Probability a frame needs to count towards confirming a barge-in while a reply plays. Default 0.7. */
  threshold?: number;
  /** Probability below which a frame counts as silence for the confirmation count. Default 0.35. */
  negativeThreshold?: number;
  /**
   * Probability at which a frame puts the reply on hold (weak evidence: Silero scores a word's first
   * consonant low, e.g. 0.1–0.45 for the /s/ of "stop", and stationary or impulsive noise ≤ 0.06).
   * Frames below it count as silence for releasing the hold. Default 0.1.
   */
  holdThreshold?: number;
  /** Frames ≥ `holdThreshold` that put the reply on hold. Default 1. 0 disables holds altogether (only a confirmed barge-in silences the reply). */
  holdFrames?: number;
  /**
   * Rise of a frame's sustained level (see {@link BargeInDetector.process}) above the running noise
   * floor, dB, that makes it "loud": onset evidence that needs no voicing (Silero scores the /s/ of
   * "stop" near 0 in Chromium's capture path). Default 20.
   */
  onsetDb?: number;
  /** Consecutive loud frames that put the reply on hold. Default 1. 0 disables the level cue. */
  onsetFrames?: number;
  /** Level (dBFS) below which a frame is never loud, whatever the floor. Default −55. */
  minLevelDb?: number;
  /**
   * The noise floor is the 10th percentile of the frame levels over this window, ms, but never below
   * `minLevelDb − onsetDb` (a muted or starting track's digital silence does not pin it). Default 1500.
   */
  floorWindowMs?: number;
  /**
   * A hold released by silence with no frame ≥ `threshold` was most likely the agent's own voice (it
   * went quiet because the reply paused). Then a new hold on weak evidence needs a level this many dB
   * above the level that started that one, so residual echo cannot pause the reply over and over (a
   * frame ≥ `threshold` still holds at once). Default 6.
   */
  echoMarginDb?: number;
  /** How fast that echo bar falls while no reply plays, dB/s (it stays while replies play). Default 6. */
  echoDecayDbPerSecond?: number;
  /**
   * Longest a hold lasts without a frame ≥ `threshold`; then the reply resumes, and no new hold on weak
   * evidence starts before `releaseFrames` of silence. After a frame ≥ `threshold` in the hold, silence
   * no longer releases it sooner. Default 320.
   */
  holdMaxMs?: number;
  /** Speech (≥ `threshold`, pauses between the thresholds allowed) that confirms a barge-in. Default 64. */
  confirmMs?: number;
  /**
   * Probability of likely speech: `likelyConfirmMs` of frames at or above it (the same pauses allowed)
   * confirm too, once one of them reached `threshold`. In Chromium's capture path Silero scores the
   * "Stop" of some onsets 0.55–0.7 with a single frame over 0.7; the strong rule alone then waits for the
   * next word. Default 0.55.
   */
  likelyThreshold?: number;
  /** Likely speech that confirms (see `likelyThreshold`); not during the warm-up. Infinity turns the rule off. Default 128. */
  likelyConfirmMs?: number;
  /**
   * Stream time after the detector starts during which the echo canceller is still adapting:
   * `warmupConfirmMs` applies instead of `confirmMs`, a hold needs `threshold` instead of
   * `holdThreshold`, and the level cue is off. Default 2000.
   */
  warmupMs?: number;
  /** Speech needed to confirm during the warm-up. Default 320. */
  warmupConfirmMs?: number;
  /**
   * Consecutive silent frames that release a hold (< `holdThreshold` and not loud) or cancel a pending
   * confirmation (< `negativeThreshold`). Default 3.
   */
  releaseFrames?: number;
  /**
   * With an echo estimate (see {@link BargeInDetector.process}'s `nearDb`), a frame whose near-end level
   * is more than this many dB below its level is mostly the agent's own echo: its speech probability
   * counts as 0. Default 6.
   */
  echoGateDb?: number;
  /**
   * With an echo estimate, a frame whose near-end level is less than this many dB above the running
   * noise floor counts as no speech either: Silero's probability lingers for a few frames after the
   * echo of a word has ended. Default 6.
   */
  echoFloorDb?: number;
  /**
   * Silero's probability lingers after speech it heard, and the echo of a word's end is the hardest to
   * predict: for this long after a frame gated as echo (with a probability ≥ `holdThreshold`), a frame's
   * probability counts only if its near-end level is `onsetDb` over the noise floor. Default 256.
   */
  echoHangMs?: number;
  /**
   * With a band rise (see {@link BargeInDetector.process}'s `bandRiseDb`), a frame whose sustained power
   * in one band (562 Hz–8 kHz) rises this many dB over that band's noise floor is loud too: the /s/ of
   * "stop" in low-frequency noise. Infinity turns it off. Default Infinity.
   */
  bandOnsetDb?: number;
}

/** The defaults of {@link BargeInOptions}. */
export const BARGE_IN_DEFAULTS: Readonly<Required<BargeInOptions>> = {
  frameMs: 32,
  threshold: 0.7,
  negativeThreshold: 0.35,
  holdThreshold: 0.1,
  holdFrames: 1,
  holdMaxMs: 320,
  onsetDb: 20,
  onsetFrames: 1,
  minLevelDb: -55,
  floorWindowMs: 1500,
  echoMarginDb: 6,
  echoDecayDbPerSecond: 6,
  confirmMs: 64,
  likelyThreshold: 0.55,
  likelyConfirmMs: 128,
  warmupMs: 2000,
  warmupConfirmMs: 320,
  releaseFrames: 3,
  echoGateDb: 6,
  echoFloorDb: 6,
  echoHangMs: 256,
  bandOnsetDb: Infinity,
};

/** What one frame decided. `hold` and `release` come in pairs; `confirm` means stop the reply now. */
export type BargeInDecision = { kind: "none" } | { kind: "hold" } | { kind: "confirm" } | { kind: "release" };

const NONE: BargeInDecision = { kind: "none" };
const HOLD: BargeInDecision = { kind: "hold" };
const CONFIRM: BargeInDecision = { kind: "confirm" };
const RELEASE: BargeInDecision = { kind: "release" };

/** Decides, frame by frame, whether the visitor is talking over the reply. */
export class BargeInDetector {
  #o: Required<BargeInOptions>;
  #holdMaxFrames: number;
  #echoDecay: number; // dB per frame
  #echoHangFrames: number;
  #echoHang = 0; // frames left in which a probability needs a loud near end
  #levels: Float64Array; // the last floorWindowMs of frame levels, a ring (+Infinity where none yet)
  #sorted: Float64Array;
  #levelAt = 0;
  #levelCount = 0;
  #frames = 0;
  #floor = Infinity; // running noise floor, dBFS
  #loud = 0; // consecutive loud frames
  #echoBar = -Infinity; // level (dBFS) a new hold needs after a misfire
  #holdLevel = -120; // level of the frame that started the current hold
  #strongInHold = false;
  // Confirmation: frames ≥ threshold, frames ≥ likelyThreshold, and frames < negativeThreshold since the last of them.
  #speech = 0;
  #likely = 0;
  #silence = 0;
  // Hold: frames ≥ the hold threshold, frames below it since the last of them, frames since the last strong frame.
  #weak = 0;
  #quiet = 0;
  #sinceStrong = 0;
  #held = false;
  #timedOut = false;
  #fired = false;

  constructor(options: BargeInOptions = {}) {
    this.#o = { ...BARGE_IN_DEFAULTS, ...options };
    const o = this.#o;
    const checks: [boolean, string][] = [
      [o.frameMs > 0, "frameMs must be > 0"],
      [o.negativeThreshold <= o.threshold, "negativeThreshold must be ≤ threshold"],
      [o.likelyThreshold <= o.threshold && o.likelyConfirmMs > 0, "likelyThreshold must be ≤ threshold and likelyConfirmMs > 0"],
      [o.holdThreshold > 0 && o.holdThreshold <= o.threshold, "holdThreshold must be > 0 and ≤ threshold"],
      [o.holdFrames >= 0 && o.onsetFrames >= 0, "holdFrames and onsetFrames must be ≥ 0"],
      [o.holdMaxMs >= o.frameMs, "holdMaxMs must be ≥ frameMs"],
      [o.onsetDb > 0, "onsetDb must be > 0"],
      [o.floorWindowMs >= o.frameMs, "floorWindowMs must be ≥ frameMs"],
      [o.echoMarginDb >= 0 && o.echoDecayDbPerSecond >= 0, "echoMarginDb and echoDecayDbPerSecond must be ≥ 0"],
      [o.confirmMs > 0 && o.warmupConfirmMs > 0, "confirmMs and warmupConfirmMs must be > 0"],
      [o.releaseFrames >= 1, "releaseFrames must be ≥ 1"],
      [o.echoGateDb >= 0 && o.echoFloorDb >= 0 && o.echoHangMs >= 0, "echoGateDb, echoFloorDb and echoHangMs must be ≥ 0"],
    ];
    for (const [ok, rule] of checks) if (!ok) throw new RangeError(`BargeInDetector: ${rule}`);
    this.#holdMaxFrames = Math.max(1, Math.round(o.holdMaxMs / o.frameMs));
    this.#echoDecay = (o.echoDecayDbPerSecond * o.frameMs) / 1000;
    this.#echoHangFrames = Math.round(o.echoHangMs / o.frameMs) + 1;
    this.#levels = new Float64Array(Math.round(o.floorWindowMs / o.frameMs)).fill(Infinity);
    this.#sorted = new Float64Array(this.#levels.length);
  }

  /**
   * Feeds one frame: its speech probability (0…1), whether a reply is playing (or on hold, or about to
   * play), and its sustained level in dBFS, `levelDb(frame, 4)`: the quietest quarter's, so that a
   * click shorter than 8 ms is not an onset (omitted, neither the level cue nor the echo bar applies).
   * `nearDb`: the same frame's near-end level from an echo estimate (`EchoEstimator`'s `nearDb`, what
   * the predicted echo of the reply does not explain). When given, the level cue, the noise floor and
   * the echo bar use it instead of `levelDb`, and a frame more than `echoGateDb` below `levelDb`, or
   * less than `echoFloorDb` above the noise floor, counts as no speech. Pass it only while the estimate
   * sees the reply echoing (`EchoFrame.kind === "echo"`). `bandRiseDb`: the estimator's `bandRiseDb`
   * (idle or not), for the band-wise level cue (`bandOnsetDb`).
   */
  process(probability: number, playing: boolean, levelDb?: number, nearDb?: number, bandRiseDb?: number): BargeInDecision {
    const o = this.#o;
    const echo = nearDb !== undefined && levelDb !== undefined;
    if (echo) {
      if (nearDb < levelDb - o.echoGateDb) {
        if (probability >= o.holdThreshold) this.#echoHang = this.#echoHangFrames;
        probability = 0;
      } else if (nearDb < this.#floor + (this.#echoHang > 0 ? o.onsetDb : o.echoFloorDb)) probability = 0;
    }
    if (this.#echoHang > 0) this.#echoHang--;
    const warm = this.#frames * o.frameMs >= o.warmupMs;
    this.#frames++;
    const known = levelDb !== undefined;
    const level = known ? Math.max(-120, echo ? nearDb : levelDb) : -120;
    const rises = level >= this.#floor + o.onsetDb || (bandRiseDb !== undefined && bandRiseDb >= o.bandOnsetDb);
    const loud = known && warm && o.onsetFrames > 0 && level >= o.minLevelDb && rises;
    this.#loud = loud ? this.#loud + 1 : 0;
    if (known) this.#pushLevel(level);
    if (!playing) {
      // The echo bar holds while replies play (the echo path does not change) and falls between them.
      this.#echoBar -= this.#echoDecay;
      const wasHeld = this.#held;
      this.#clear();
      this.#fired = false;
      return wasHeld ? RELEASE : NONE;
    }
    if (this.#fired) return NONE;

    // Confirmation: the strong rule, or likely speech with a strong frame among it; unchanged by holds.
    if (probability >= o.likelyThreshold) this.#likely++;
    if (probability >= o.threshold) {
      this.#sinceStrong = 0;
      this.#strongInHold = true;
      this.#silence = 0;
      this.#speech++;
    } else {
      this.#sinceStrong++;
      if (probability < o.negativeThreshold && this.#likely > 0 && ++this.#silence >= o.releaseFrames) {
        this.#speech = 0;
        this.#likely = 0;
        this.#silence = 0;
      }
    }
    const confirmed = warm
      ? this.#speech >= Math.max(1, Math.ceil(o.confirmMs / o.frameMs)) ||
        (this.#speech > 0 && this.#likely >= Math.ceil(o.likelyConfirmMs / o.frameMs))
      : this.#speech >= Math.max(1, Math.ceil(o.warmupConfirmMs / o.frameMs));
    if (confirmed) {
      this.#fired = true;
      this.#held = false;
      return CONFIRM;
    }

    // Hold: weak evidence pauses the reply; silence or the timeout releases it.
    const weak = probability >= (warm ? o.holdThreshold : o.threshold);
    if (weak || loud) {
      this.#quiet = 0;
      if (weak) this.#weak++;
    } else if (++this.#quiet >= o.releaseFrames) {
      this.#weak = 0;
      this.#timedOut = false;
      // Once a frame ≥ threshold was heard, a pause between the visitor's words ("Stop, … please")
      // keeps the hold: only `holdMaxMs` without a strong frame (below) releases it then.
      if (this.#held && !this.#strongInHold) {
        if (known) this.#echoBar = Math.max(this.#echoBar, this.#holdLevel + o.echoMarginDb);
        return this.#release();
      }
    }
    if (this.#held && this.#sinceStrong >= this.#holdMaxFrames) {
      this.#timedOut = true;
      return this.#release();
    }
    const onset = this.#weak >= o.holdFrames || (o.onsetFrames > 0 && this.#loud >= o.onsetFrames);
    const strong = probability >= o.threshold;
    if (!this.#held && (!this.#timedOut || strong) && o.holdFrames > 0 && onset && (!known || level >= this.#echoBar || strong)) {
      this.#held = true;
      this.#sinceStrong = 0;
      this.#strongInHold = strong;
      this.#holdLevel = level;
      return HOLD;
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
    this.#floor = Infinity;
    this.#levels.fill(Infinity);
    this.#levelCount = 0;
    this.#loud = 0;
    this.#echoBar = -Infinity;
    this.#echoHang = 0;
  }

  /** Adds a frame level to the window and updates the floor (the mic's, whatever plays). */
  #pushLevel(level: number): void {
    const levels = this.#levels;
    levels[this.#levelAt] = level;
    this.#levelAt = (this.#levelAt + 1) % levels.length;
    this.#levelCount = Math.min(this.#levelCount + 1, levels.length);
    // Sorting the preallocated copy puts the unfilled +Infinity slots last; no allocation.
    this.#sorted.set(levels);
    this.#sorted.sort();
    const o = this.#o;
    this.#floor = Math.max(o.minLevelDb - o.onsetDb, this.#sorted[Math.floor(this.#levelCount / 10)]!);
  }

  #release(): BargeInDecision {
    this.#held = false;
    this.#speech = 0;
    this.#likely = 0;
    this.#silence = 0;
    return RELEASE;
  }

  #clear(): void {
    this.#speech = 0;
    this.#likely = 0;
    this.#silence = 0;
    this.#weak = 0;
    this.#quiet = 0;
    this.#sinceStrong = 0;
    this.#held = false;
    this.#timedOut = false;
  }
}
