/**
 * Plays responses' speech out in real time, as a provider's media server does: 24 kHz PCM16 from the realtime
 * state machine in (as fast as it is synthesized), 20 ms frames of 48 kHz out, one per 20 ms of the wall
 * clock. A 5 ms timer catches up to the clock, so late timers do not make the audio drift or stretch.
 */
import { FRAME_MS, FRAME_SAMPLES, OPUS_RATE, PcmRateConverter } from "./opus-frames.ts";
import { SPEECH_SAMPLE_RATE } from "./speech.ts";

/** How often the pacer looks at the clock, ms. */
const TICK_MS = 5;

/** One frame to send. */
export interface PacedFrame {
  /** {@link FRAME_SAMPLES} samples of 48 kHz PCM16. */
  pcm: Int16Array;
  /** The frame's 20 ms slot since the pacer started (the RTP timestamp is `slot × 960`). */
  slot: number;
  /** First frame after a pause (the RTP marker bit). */
  resumed: boolean;
}

export interface AudioPacerOptions {
  /** Sends one frame. */
  send: (frame: PacedFrame) => void;
  /** The first frame of a response was sent. */
  started: (responseId: string) => void;
  /** A response's audio was all sent (after {@link AudioPacer.end}); `sentMs` is its length. */
  drained: (responseId: string, sentMs: number) => void;
  /** Clock, ms. Default `performance.now`. */
  now?: () => number;
}

/** A response's audio: frames waiting, frames sent, and whether more is coming. */
interface Segment {
  responseId: string;
  converter: PcmRateConverter;
  pending: Int16Array;
  frames: Int16Array[];
  sent: number;
  ended: boolean;
}

/** Queues responses' audio and sends it paced; {@link cut} stops it at once. */
export class AudioPacer {
  readonly #o: AudioPacerOptions;
  readonly #now: () => number;
  readonly #queue: Segment[] = [];
  #start: number | undefined;
  #slot = 0;
  #idle = true;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: AudioPacerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Adds `pcm` (24 kHz PCM16) to the audio of `responseId`. */
  push(responseId: string, pcm: Int16Array): void {
    const segment = this.#segment(responseId) ?? this.#add(responseId);
    this.#frame(segment, segment.converter.process(pcm));
    this.#run();
  }

  /** No more audio is coming for `responseId`: the last partial frame is padded with silence. */
  end(responseId: string): void {
    const segment = this.#segment(responseId);
    if (!segment || segment.ended) return;
    segment.ended = true;
    this.#frame(segment, segment.converter.flush());
    if (segment.pending.length > 0) this.#frame(segment, new Int16Array(FRAME_SAMPLES - segment.pending.length));
    this.#run();
  }

  /**
   * Stops `responseId`'s audio (every response's when omitted) and drops what was not sent yet. Returns
   * each response stopped with the audio sent of it, ms (0 when none was).
   */
  cut(responseId?: string): { responseId: string; sentMs: number }[] {
    const cut = this.#queue.filter((segment) => responseId === undefined || segment.responseId === responseId);
    for (const segment of cut) this.#queue.splice(this.#queue.indexOf(segment), 1);
    if (cut.length > 0) this.#idle = true;
    return cut.map((segment) => ({ responseId: segment.responseId, sentMs: segment.sent * FRAME_MS }));
  }

  /** Whether any response's audio is queued or being sent. */
  get active(): boolean {
    return this.#queue.length > 0;
  }

  /** Stops the timer (the call ended). */
  close(): void {
    this.#queue.length = 0;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #segment(responseId: string): Segment | undefined {
    return this.#queue.find((segment) => segment.responseId === responseId);
  }

  #add(responseId: string): Segment {
    const converter = new PcmRateConverter(SPEECH_SAMPLE_RATE, OPUS_RATE);
    const segment = { responseId, converter, pending: new Int16Array(0), frames: [], sent: 0, ended: false };
    this.#queue.push(segment);
    return segment;
  }

  /** Cuts `pcm` (after what was left over) into whole frames. */
  #frame(segment: Segment, pcm: Int16Array): void {
    const all = new Int16Array(segment.pending.length + pcm.length);
    all.set(segment.pending);
    all.set(pcm, segment.pending.length);
    let at = 0;
    for (; at + FRAME_SAMPLES <= all.length; at += FRAME_SAMPLES) segment.frames.push(all.slice(at, at + FRAME_SAMPLES));
    segment.pending = all.slice(at);
  }

  #run(): void {
    this.#timer ??= setInterval(() => this.#tick(), TICK_MS);
    this.#tick();
  }

  /**
   * Sends every frame whose slot has come. After a pause (nothing to send at a slot's time, the queue empty or
   * cut) the slots restart from now: the stream goes on with a gap in RTP time, not with a burst.
   */
  #tick(): void {
    const now = this.#now();
    this.#start ??= now;
    for (;;) {
      const segment = this.#queue[0];
      if (!segment) break;
      const pcm = segment.frames.shift();
      if (!pcm) {
        if (!segment.ended) break;
        this.#queue.shift();
        this.#o.drained(segment.responseId, segment.sent * FRAME_MS);
        continue;
      }
      const resumed = this.#idle;
      if (resumed) this.#slot = Math.max(this.#slot, Math.floor((now - this.#start) / FRAME_MS));
      else if (this.#start + this.#slot * FRAME_MS > now) {
        segment.frames.unshift(pcm);
        break;
      }
      this.#idle = false;
      if (segment.sent++ === 0) this.#o.started(segment.responseId);
      this.#o.send({ pcm, slot: this.#slot++, resumed });
    }
    // Nothing was ready at a slot's time: the stream pauses, and the next frame starts a new talkspurt.
    if (this.#start + this.#slot * FRAME_MS <= now && !this.#queue[0]?.frames.length) this.#idle = true;
    if (this.#queue.length === 0) {
      this.#idle = true;
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
