/**
 * End-of-turn detector: a pure stage over 16 kHz VAD frames and their speech probabilities. It keeps
 * a short pre-speech pad so the first syllable is never cut, and reports the utterance once silence has
 * lasted `silenceMs`, trimmed to the spoken part (plus the pads). With `pauseMs` it also reports the
 * utterance so far at a shorter pause, and when speech resumes after one, so that a consumer can start
 * on a turn before it ends (speculation).
 */

/** Options of {@link EndOfTurn}; all durations in milliseconds. */
export interface EndOfTurnOptions {
  /** Samples per frame (512 for Silero v5 at 16 kHz). */
  frameSamples: number;
  /** Sample rate of the frames, Hz. Default 16000. */
  sampleRate?: number;
  /** Probability at or above which a frame starts speech. Default 0.5. */
  positiveThreshold?: number;
  /**
   * Frames at or above this probability (but below `positiveThreshold`) count towards the silence
   * timeout yet stay in the utterance's audio (soft word endings). Default 0.35.
   */
  negativeThreshold?: number;
  /**
   * The reported speech end is the last frame at or above this probability (falling back to
   * `positiveThreshold`). Silero's probability decays over 2–4 frames after speech stops, more in
   * noise, so a lower threshold marks the end late. Default 0.85.
   */
  endThreshold?: number;
  /**
   * Silence after the reported speech end (the last frame ≥ `endThreshold`) that ends the turn. Frames
   * below `positiveThreshold` count as silence, and so do frames between `positiveThreshold` and
   * `endThreshold` during the first `tailMs` after the last strong frame (Silero's decaying tail).
   * Default 700.
   */
  silenceMs?: number;
  /**
   * How long frames between `positiveThreshold` and `endThreshold` after a strong frame count as
   * silence; past it they count as (soft) speech again and restart the timeout. Counting the tail as
   * speech ended every turn one frame late (measured: +32 ms on the Chromium end-of-turn latency).
   * Default 128.
   */
  tailMs?: number;
  /** Speech shorter than this is a misfire, not a turn. Default 250. */
  minSpeechMs?: number;
  /** Audio kept before the first speech frame. Default 96. */
  preSpeechPadMs?: number;
  /** Audio kept after the last speech frame. Default 32. */
  postSpeechPadMs?: number;
  /** An utterance (pads included) is cut and reported at this length. Default 30000. */
  maxUtteranceMs?: number;
  /**
   * Silence (counted as for `silenceMs`) after which the utterance so far is reported as a `pause`, once
   * per pause; a `resume` follows when speech comes back before the turn ends. 0 (default): off.
   */
  pauseMs?: number;
}

/**
 * What one frame changed. Times are stream times in ms since the detector's start or last reset and
 * mark the speech itself (first and last speech frame); `audio` also holds the pads around it.
 */
export type EndOfTurnResult =
  | { kind: "none" }
  | { kind: "speech-start"; startMs: number }
  | { kind: "misfire" }
  | { kind: "turn-end"; startMs: number; endMs: number; audio: Float32Array }
  /**
   * Silence has lasted `pauseMs`: the utterance as `turn-end` would report it now. When the turn then ends
   * with no speech in between, its `turn-end` has the same `startMs`, `endMs` and audio.
   */
  | { kind: "pause"; startMs: number; endMs: number; audio: Float32Array }
  /** Speech came back after a `pause`: what it reported is not the turn. */
  | { kind: "resume" };

const NONE: EndOfTurnResult = { kind: "none" };

/** Segments a stream of VAD frames into utterances. */
export class EndOfTurn {
  readonly frameMs: number;
  #o: Required<EndOfTurnOptions>;
  #pad: Float32Array; // ring of pre-speech frames
  #padFrames: number;
  #padCount = 0;
  #padHead = 0;
  #utt: Float32Array;
  #uttLen = 0;
  #lastSpeechEnd = 0; // samples into #utt: end of the audio kept (last frame ≥ negativeThreshold)
  #lastPositiveEnd = 0; // samples into #utt: end of the last frame ≥ positiveThreshold
  #lastStrongEnd = -1; // samples into #utt: end of the last frame ≥ endThreshold, -1 if none
  #speechFrames = 0;
  #silentMs = 0;
  #inSpeech = false;
  #paused = false; // a pause was reported and speech has not resumed since
  #frames = 0; // frames seen
  #startMs = 0;
  #padMs = 0;

  constructor(options: EndOfTurnOptions) {
    this.#o = {
      sampleRate: 16_000,
      positiveThreshold: 0.5,
      negativeThreshold: 0.35,
      endThreshold: 0.85,
      silenceMs: 700,
      tailMs: 128,
      minSpeechMs: 250,
      preSpeechPadMs: 96,
      postSpeechPadMs: 32,
      maxUtteranceMs: 30_000,
      pauseMs: 0,
      ...options,
    };
    const o = this.#o;
    if (!(o.negativeThreshold <= o.positiveThreshold)) throw new RangeError("EndOfTurn: negativeThreshold must be ≤ positiveThreshold");
    if (!(o.endThreshold >= o.positiveThreshold)) throw new RangeError("EndOfTurn: endThreshold must be ≥ positiveThreshold");
    if (!(o.frameSamples > 0 && Number.isInteger(o.frameSamples)))
      throw new RangeError("EndOfTurn: frameSamples must be a positive integer");
    if (!(o.minSpeechMs >= 0 && o.preSpeechPadMs >= 0 && o.postSpeechPadMs >= 0)) throw new RangeError("EndOfTurn: durations must be ≥ 0");
    if (!(o.maxUtteranceMs >= o.silenceMs)) throw new RangeError("EndOfTurn: maxUtteranceMs must be ≥ silenceMs");
    if (!(o.silenceMs > 0)) throw new RangeError("EndOfTurn: silenceMs must be > 0");
    if (!(o.tailMs >= 0)) throw new RangeError("EndOfTurn: tailMs must be ≥ 0");
    if (!(o.pauseMs >= 0)) throw new RangeError("EndOfTurn: pauseMs must be ≥ 0");
    this.frameMs = (o.frameSamples / o.sampleRate) * 1000;
    this.#padFrames = Math.round(o.preSpeechPadMs / this.frameMs);
    this.#pad = new Float32Array(Math.max(1, this.#padFrames) * o.frameSamples);
    // Whole frames; at least the pad and two frames so that a turn can always start.
    const maxFrames = Math.max(Math.ceil(((o.maxUtteranceMs / 1000) * o.sampleRate) / o.frameSamples), this.#padFrames + 2);
    this.#utt = new Float32Array(maxFrames * o.frameSamples);
  }

  /** True while an utterance is open. */
  get inSpeech(): boolean {
    return this.#inSpeech;
  }

  /** Feeds one frame (`frameSamples` samples) and its speech probability (0…1). */
  process(frame: Float32Array, probability: number): EndOfTurnResult {
    const o = this.#o;
    const frameStartMs = this.#frames * this.frameMs;
    this.#frames++;
    let started = false;
    if (!this.#inSpeech) {
      if (probability < o.positiveThreshold) {
        this.#pushPad(frame);
        return NONE;
      }
      started = true;
      this.#inSpeech = true;
      this.#uttLen = 0;
      this.#speechFrames = 0;
      this.#silentMs = 0;
      this.#lastStrongEnd = -1;
      this.#startMs = frameStartMs;
      this.#padMs = this.#padCount * this.frameMs;
      this.#drainPad();
    }
    this.#utt.set(frame, this.#uttLen);
    this.#uttLen += frame.length;
    if (probability >= o.negativeThreshold) this.#lastSpeechEnd = this.#uttLen;
    if (probability >= o.positiveThreshold) {
      this.#speechFrames++;
      this.#lastPositiveEnd = this.#uttLen;
      if (probability >= o.endThreshold) {
        this.#lastStrongEnd = this.#uttLen;
        this.#silentMs = 0;
      } else if (this.#lastStrongEnd >= 0 && this.#silentMs < o.tailMs) {
        // The decaying tail after a strong frame: the timeout runs from the reported speech end.
        this.#silentMs += this.frameMs;
      } else {
        this.#silentMs = 0;
      }
    } else {
      this.#silentMs += this.frameMs;
    }
    if (this.#silentMs >= o.silenceMs || this.#uttLen + frame.length > this.#utt.length) return this.#end();
    if (started) return { kind: "speech-start", startMs: this.#startMs };
    if (this.#paused && this.#silentMs === 0) {
      this.#paused = false;
      return { kind: "resume" };
    }
    if (!this.#paused && o.pauseMs > 0 && this.#silentMs >= o.pauseMs && this.#speechFrames * this.frameMs >= o.minSpeechMs) {
      this.#paused = true;
      return { kind: "pause", ...this.#utterance() };
    }
    return NONE;
  }

  /** Ends an open utterance now (e.g. when the visitor stops the mic). */
  finish(): EndOfTurnResult {
    return this.#inSpeech ? this.#end() : NONE;
  }

  /** Drops any open utterance and the pad; stream time restarts at 0. */
  reset(): void {
    this.#inSpeech = false;
    this.#paused = false;
    this.#padCount = 0;
    this.#padHead = 0;
    this.#uttLen = 0;
    this.#frames = 0;
  }

  #end(): EndOfTurnResult {
    this.#inSpeech = false;
    this.#paused = false;
    this.#padCount = 0;
    this.#padHead = 0;
    if (this.#speechFrames * this.frameMs < this.#o.minSpeechMs) return { kind: "misfire" };
    return { kind: "turn-end", ...this.#utterance() };
  }

  /** The open utterance as it would end now: trimmed to its speech plus the post-speech pad. */
  #utterance(): { startMs: number; endMs: number; audio: Float32Array } {
    const o = this.#o;
    const post = Math.round((o.postSpeechPadMs / 1000) * o.sampleRate);
    const len = Math.min(this.#uttLen, this.#lastSpeechEnd + post);
    const end = this.#lastStrongEnd >= 0 ? this.#lastStrongEnd : this.#lastPositiveEnd;
    const endMs = this.#startMs - this.#padMs + (end / o.sampleRate) * 1000;
    return { startMs: this.#startMs, endMs, audio: this.#utt.slice(0, len) };
  }

  #pushPad(frame: Float32Array): void {
    if (this.#padFrames === 0) return;
    this.#pad.set(frame, this.#padHead * frame.length);
    this.#padHead = (this.#padHead + 1) % this.#padFrames;
    this.#padCount = Math.min(this.#padCount + 1, this.#padFrames);
  }

  #drainPad(): void {
    const n = this.#o.frameSamples;
    for (let i = 0; i < this.#padCount; i++) {
      const slot = (this.#padHead - this.#padCount + i + this.#padFrames) % this.#padFrames;
      this.#utt.set(this.#pad.subarray(slot * n, slot * n + n), this.#uttLen);
      this.#uttLen += n;
    }
    this.#padCount = 0;
  }
}
