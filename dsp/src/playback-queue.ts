/**
 * Playback queue: the pure core of the playback worklet. A preallocated ring of samples at the output
 * rate, a start cushion against network jitter (shortened once earlier replies showed how their audio
 * arrives, see {@link ArrivalLag}), short gain ramps (fade in, fade out), a hold
 * that pauses the reply in place (its clock stops, nothing is dropped) until it resumes or is faded
 * out, underrun accounting and the count of frames rendered from the current reply, which is what the
 * visitor heard (minus the output latency, see {@link heardMs}).
 */

import { ArrivalLag } from "./arrival-lag.ts";

export interface PlaybackQueueOptions {
  /** Output sample rate, Hz. */
  sampleRate: number;
  /** Ring capacity, seconds of audio at `sampleRate`. Default 60. */
  capacitySeconds?: number;
  /** Audio buffered before the first reply starts, and before any reply restarts after an underrun, ms. Default 150. */
  cushionMs?: number;
  /**
   * Once a reply has been seen, later replies start `cushionMarginMs` after their first sample plus the
   * delay the earlier ones needed to play without running dry (see {@link ArrivalLag}), instead of when
   * the cushion fills: sooner for audio at real time or faster, later for a slow stream. `false`: every
   * reply waits for the cushion. Default `true`: in Chromium through the relay on a 2-core VM, speech
   * streamed at real time in 100 ms chunks, five runs of 6 turns gave turn-overhead medians of
   * 206/157/156/236/97 ms against the cushion's 203/337/245/210/196, with 1 of 30 replies running dry each.
   */
  learnStart?: boolean;
  /** Added to the learnt start delay (`learnStart`), ms. Default 40. */
  cushionMarginMs?: number;
  /** Added to the cushion after each underrun, up to `maxCushionMs`, ms. Default 50. */
  cushionStepMs?: number;
  /** Largest cushion, and longest start delay learnt from earlier replies, ms. Default 400. */
  maxCushionMs?: number;
  /** Fade-in at the start of a reply, after an underrun and on resuming after a hold, ms. Default 5. */
  rampMs?: number;
  /** Fade-out when a reply is interrupted or put on hold, frames. Default 128 (one render quantum). */
  fadeOutFrames?: number;
}

/** What one render call did. */
export type RenderResult =
  | { kind: "idle" }
  /** Buffering: output is silence until the cushion fills. */
  | { kind: "waiting" }
  | { kind: "playing" }
  /** Playback had started, the buffer ran dry before the reply ended; silence was inserted. */
  | { kind: "underrun" }
  /** The reply ended and all of it has been rendered. */
  | { kind: "drained" }
  /** An interruption's fade-out finished in this call; `at` is the offset of the first silent frame. */
  | { kind: "silenced"; at: number }
  /** A hold's fade-out finished in this call; `at` is the offset of the first silent frame. */
  | { kind: "paused"; at: number }
  /** On hold: silence, nothing consumed, the played-frames clock stands still. */
  | { kind: "held" };

const IDLE: RenderResult = { kind: "idle" };
const WAITING: RenderResult = { kind: "waiting" };
const PLAYING: RenderResult = { kind: "playing" };
const UNDERRUN: RenderResult = { kind: "underrun" };
const DRAINED: RenderResult = { kind: "drained" };
const HELD: RenderResult = { kind: "held" };

/** A jitter-buffered FIFO for one reply at a time. */
export class PlaybackQueue {
  readonly sampleRate: number;
  #ring: Float32Array;
  #read = 0;
  #size = 0;
  #o: Required<Omit<PlaybackQueueOptions, "sampleRate" | "capacitySeconds">>;
  #cushion: number; // frames
  #clock = 0; // frames rendered since construction
  #arrival = new ArrivalLag();
  #rampStep: number;
  #state: "idle" | "waiting" | "playing" | "fading" = "idle";
  #ended = false;
  #gain = 1;
  #fadeStep = 0;
  #played = 0;
  #received = 0;
  #dropped = 0;
  #underruns = 0;
  #peak = 0;
  #held = false;
  #heldFrames = 0;
  #silenced: { kind: "silenced"; at: number } = { kind: "silenced", at: 0 };
  #paused: { kind: "paused"; at: number } = { kind: "paused", at: 0 };

  constructor(options: PlaybackQueueOptions) {
    const { sampleRate } = options;
    if (!(sampleRate > 0)) throw new RangeError("PlaybackQueue: sampleRate must be > 0");
    this.sampleRate = sampleRate;
    this.#o = {
      cushionMs: 150,
      cushionMarginMs: 40,
      learnStart: true,
      cushionStepMs: 50,
      maxCushionMs: 400,
      rampMs: 5,
      fadeOutFrames: 128,
      ...options,
    };
    if (!(this.#o.fadeOutFrames >= 1)) throw new RangeError("PlaybackQueue: fadeOutFrames must be ≥ 1");
    this.#ring = new Float32Array(Math.ceil(sampleRate * (options.capacitySeconds ?? 60)));
    this.#cushion = this.#ms(this.#o.cushionMs);
    this.#rampStep = 1 / Math.max(1, this.#ms(this.#o.rampMs));
  }

  /** Frames rendered from the current reply (inserted silence excluded). */
  get playedFrames(): number {
    return this.#played;
  }
  /** Frames received for the current reply (including any dropped on overflow). */
  get receivedFrames(): number {
    return this.#received;
  }
  /** Frames dropped because the ring was full. */
  get droppedFrames(): number {
    return this.#dropped;
  }
  /** Render calls that found the buffer empty after playback had started. */
  get underruns(): number {
    return this.#underruns;
  }
  /** Largest absolute sample rendered for the current reply. */
  get peak(): number {
    return this.#peak;
  }
  /** Whether a reply is queued, playing or fading out. */
  get active(): boolean {
    return this.#state !== "idle";
  }
  /** Whether the current reply is on hold (fading out for the hold, or paused). */
  get held(): boolean {
    return this.#held;
  }
  /**
   * Silent frames rendered since the hold's fade-out completed (0 when not on hold): how long the
   * output device has had nothing of the reply to play.
   */
  get heldFrames(): number {
    return this.#heldFrames;
  }
  /** Current start cushion, frames (grows after underruns). */
  get cushionFrames(): number {
    return this.#cushion;
  }

  /** Starts a new reply, dropping whatever was queued (no fade: call {@link fadeOut} first for that). */
  begin(): void {
    this.#read = 0;
    this.#size = 0;
    this.#state = "waiting";
    this.#ended = false;
    this.#gain = 0;
    this.#played = 0;
    this.#received = 0;
    this.#dropped = 0;
    this.#underruns = 0;
    this.#peak = 0;
    this.#held = false;
    this.#heldFrames = 0;
    this.#cushion = this.#ms(this.#o.cushionMs);
    this.#arrival.next();
  }

  /** Appends samples of the current reply; returns how many fit (the rest is dropped). */
  push(samples: Float32Array, length = samples.length): number {
    if (this.#state === "idle" || this.#state === "fading") return 0;
    const cap = this.#ring.length;
    const room = Math.min(length, cap - this.#size);
    let write = this.#read + this.#size;
    if (write >= cap) write -= cap;
    const first = Math.min(room, cap - write);
    this.#ring.set(samples.subarray(0, first), write);
    if (room > first) this.#ring.set(samples.subarray(first, room), 0);
    this.#size += room;
    this.#received += length;
    this.#dropped += length - room;
    this.#arrival.arrive(this.#clock, length);
    return room;
  }

  /** No more samples will come for the current reply: play out what is buffered, cushion or not. */
  end(): void {
    if (this.#state !== "idle") this.#ended = true;
  }

  /**
   * Puts the current reply on hold: fades it out over `fadeOutFrames`, then renders silence without
   * consuming anything (the played-frames clock stops where the visitor stopped hearing it). Samples
   * keep arriving meanwhile. {@link resume} continues from the next sample; {@link fadeOut} drops it.
   */
  hold(): void {
    if (this.#state === "idle" || this.#state === "fading" || this.#held) return;
    this.#held = true;
    this.#heldFrames = 0;
    this.#fadeStep = this.#gain / this.#o.fadeOutFrames;
  }

  /** Ends a hold: playback continues from the sample after the last one rendered, with a `rampMs` fade-in. */
  resume(): void {
    this.#held = false;
    this.#heldFrames = 0;
  }

  /** Fades the current reply out over `fadeOutFrames` (at once when on hold), then drops the rest of it. */
  fadeOut(): void {
    if (this.#state === "idle" || this.#state === "fading") return;
    if (this.#state === "waiting") {
      this.#stop();
      return;
    }
    this.#state = "fading";
    this.#held = false;
    this.#fadeStep = this.#gain / this.#o.fadeOutFrames;
  }

  /** Fills `out` with the next frames (silence where nothing plays). */
  render(out: Float32Array): RenderResult {
    out.fill(0);
    const now = this.#clock;
    this.#clock += out.length;
    const state = this.#state;
    if (state === "idle") return IDLE;
    if (this.#held && (this.#gain === 0 || state === "waiting")) {
      // Silent already (before the cushion filled, or the fade-out is done): report the first such call.
      this.#gain = 0;
      const first = this.#heldFrames === 0;
      this.#heldFrames += out.length;
      if (!first) return HELD;
      this.#paused.at = 0;
      return this.#paused;
    }
    if (state === "waiting") {
      if (!this.#mayStart(now)) return this.#ended ? this.#drain() : WAITING;
      this.#state = "playing";
    }
    const n = Math.min(out.length, this.#size);
    const cap = this.#ring.length;
    let read = this.#read;
    let gain = this.#gain;
    let peak = this.#peak;
    const fading = this.#state === "fading" || this.#held;
    let i = 0;
    for (; i < n; i++) {
      if (fading) {
        gain -= this.#fadeStep;
        if (gain <= 0) {
          gain = 0;
          break;
        }
      } else if (gain < 1) {
        gain = Math.min(1, gain + this.#rampStep);
      }
      const v = this.#ring[read]! * gain;
      out[i] = v;
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      if (++read === cap) read = 0;
    }
    this.#read = read;
    this.#size -= i;
    this.#played += i;
    this.#gain = gain;
    this.#peak = peak;
    if (this.#held) {
      if (gain > 0 && i === out.length) return PLAYING;
      // The hold's fade-out ended here (or the buffer ran dry during it: the rest waits, at gain 0).
      this.#gain = 0;
      this.#heldFrames = out.length - i;
      this.#paused.at = i;
      return this.#paused;
    }
    if (fading && (gain === 0 || this.#size === 0)) {
      this.#stop();
      this.#silenced.at = i;
      return this.#silenced;
    }
    if (i < out.length) {
      if (this.#ended) return this.#drain();
      // Ran dry mid-reply: wait for a larger cushion before resuming, and fade back in.
      this.#underruns++;
      this.#cushion = Math.min(this.#cushion + this.#ms(this.#o.cushionStepMs), this.#ms(this.#o.maxCushionMs));
      this.#state = "waiting";
      this.#gain = 0;
      return UNDERRUN;
    }
    return PLAYING;
  }

  /** Drops everything; counters keep their values until the next {@link begin}. */
  reset(): void {
    this.#stop();
  }

  /**
   * Whether a waiting reply plays from the quantum starting at frame `now`: once it has all arrived; at
   * its start, once the delay earlier replies needed plus the margin has passed since its first sample
   * (at most `maxCushionMs`); otherwise (no reply seen yet, or after an underrun) once the cushion filled.
   */
  #mayStart(now: number): boolean {
    if (this.#size === 0) return false;
    if (this.#ended) return true;
    const learnt = this.#o.learnStart ? this.#arrival.learnt : undefined;
    if (learnt === undefined || this.#played > 0) return this.#size >= this.#cushion;
    const wait = Math.min(learnt + this.#ms(this.#o.cushionMarginMs), this.#ms(this.#o.maxCushionMs));
    return this.#arrival.sinceFirst(now) >= wait;
  }

  #drain(): RenderResult {
    this.#stop();
    return DRAINED;
  }

  #stop(): void {
    this.#state = "idle";
    this.#size = 0;
    this.#ended = false;
  }

  #ms(ms: number): number {
    return Math.round((ms / 1000) * this.sampleRate);
  }
}

/**
 * What the visitor has heard of a reply, ms: frames rendered minus those still inside the output
 * device's buffer (`outputLatencySeconds`), clamped to 0…received.
 */
export function heardMs(playedFrames: number, receivedFrames: number, outputLatencySeconds: number, sampleRate: number): number {
  const frames = Math.max(0, Math.min(receivedFrames, playedFrames - outputLatencySeconds * sampleRate));
  return (frames / sampleRate) * 1000;
}
