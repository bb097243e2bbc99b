/** A fake audio engine (no mic, no AudioContext) that tests drive by hand. */
import type {
  AudioEngineEvents,
  AudioEngineOptions,
  AudioFactory,
  AudioPort,
  PlaybackPort,
  PlaybackReport,
} from "../conversation/audio-port.ts";
import type { AudioLoopPath } from "../audio/loop-messages.ts";
import { WidgetError, type WidgetErrorCode } from "../widget-error.ts";

/** Records what it was asked to play; replies "drain" at once unless `holdPlayback` is set. */
export class FakePlayer implements PlaybackPort {
  /** Every enqueue: reply id and samples (24 kHz). */
  readonly enqueued: { replyId: number; samples: number }[] = [];
  readonly ended: number[] = [];
  stops = 0;
  /** When true, `end()` resolves only on {@link drain} (a reply that is still playing). */
  holdPlayback = false;
  progress: PlaybackReport | undefined;
  #waiting = new Map<number, (r: PlaybackReport) => void>();

  enqueue(replyId: number, pcm: Int16Array): void {
    this.enqueued.push({ replyId, samples: pcm.length });
    this.progress = this.#report(replyId);
  }

  end(replyId: number): Promise<PlaybackReport> {
    this.ended.push(replyId);
    if (!this.holdPlayback) return Promise.resolve(this.#report(replyId));
    return new Promise((resolve) => this.#waiting.set(replyId, resolve));
  }

  stop(): void {
    this.stops++;
    for (const [id, resolve] of this.#waiting) resolve(this.#report(id));
    this.#waiting.clear();
  }

  /** Finishes every held reply. */
  drain(): void {
    this.stop();
    this.stops--;
  }

  /** Ms of audio queued for `replyId`. */
  queuedMs(replyId: number): number {
    return (this.enqueued.filter((e) => e.replyId === replyId).reduce((n, e) => n + e.samples, 0) / 24_000) * 1000;
  }

  #report(replyId: number): PlaybackReport {
    const playedMs = this.queuedMs(replyId);
    const frames = Math.round((playedMs * 48_000) / 1000);
    return { replyId, playedFrames: frames, receivedFrames: frames, playedMs, peak: 0.5, underruns: 0, heldFrames: 0 };
  }
}

/** One fake engine per conversation start; `FakeAudio.factory` is what the element is given. */
export class FakeAudioEngine implements AudioPort {
  readonly options: AudioEngineOptions;
  /** What the conversation gave `start()`. */
  #events: AudioEngineEvents | undefined;
  player: FakePlayer | undefined;
  closed = false;
  /** The mic's mute state as last set. */
  muted = false;
  /** Whether the mic's audio is streamed, as last set. */
  streaming = false;
  /** The reply played outside the engine that the barge-in detector watches (`watchReply`), as last set. */
  watched: number | undefined;
  /** Where the audio loop "runs": `worker` once started, as in a page that serves the widget itself. */
  loopPath: AudioLoopPath | undefined;
  #startError: WidgetError | undefined;
  readonly #holdPlayback: boolean;

  constructor(options: AudioEngineOptions, startError?: WidgetError, holdPlayback = false) {
    this.options = options;
    this.#startError = startError;
    this.#holdPlayback = holdPlayback;
  }

  async start(events: AudioEngineEvents): Promise<void> {
    if (this.#startError) throw this.#startError;
    this.#events = events;
    this.player = new FakePlayer();
    this.loopPath = "worker";
    this.player.holdPlayback = this.#holdPlayback;
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
  }

  stream(on: boolean): void {
    this.streaming = on;
  }

  watchReply(replyId: number | undefined): void {
    this.watched = replyId;
  }

  close(): void {
    this.closed = true;
  }

  /** The events the engine reports to; a test that makes the engine speak before it started fails. */
  get events(): AudioEngineEvents {
    if (!this.#events) throw new Error("FakeAudioEngine: not started, nobody listens to its events yet.");
    return this.#events;
  }

  /** The visitor says something: one utterance of `ms` of 16 kHz audio. */
  speak(ms = 1000): void {
    this.events.speechStart();
    this.events.utterance({ audio: new Float32Array((ms * 16_000) / 1000), startMs: 0, endMs: ms });
  }

  /**
   * The visitor pauses `ms` into an utterance (speculation may start on it); `speak(ms)` then ends the same
   * turn, `resume()` says they went on speaking.
   */
  pause(ms = 1000): void {
    this.events.pause({ audio: new Float32Array((ms * 16_000) / 1000), startMs: 0, endMs: ms });
  }

  resume(): void {
    this.events.resume();
  }

  /** The mic captures `ms` of 16 kHz audio (reported only while streaming, as the engine does). */
  capture(ms: number): void {
    if (this.streaming) this.events.audio?.(new Float32Array((ms * 16_000) / 1000));
  }

  /** The microphone's level for one frame, dBFS. */
  level(db: number): void {
    this.events.level(db);
  }

  /** The visitor barges in on reply `replyId` after hearing `playedMs` of it (none for a reply played outside the engine). */
  bargeIn(replyId: number, playedMs?: number): void {
    this.events.bargeIn(playedMs === undefined ? { replyId } : { replyId, playedMs });
  }

  /** The barge-in detector puts a reply played outside the engine on hold (`held`), or releases it. */
  hold(replyId: number, held: boolean): void {
    this.events.hold?.(replyId, held);
  }
}

/** Hands out {@link FakeAudioEngine}s and keeps them for inspection. */
export class FakeAudio {
  readonly engines: FakeAudioEngine[] = [];
  /** Players of engines made from now on start with `holdPlayback` set (e.g. to barge into a greeting). */
  holdPlayback = false;
  #startErrors: WidgetError[] = [];

  /** The next engine's `start()` rejects with `code` (e.g. `mic-denied`). */
  failNextStart(code: WidgetErrorCode, message = `fake ${code}`): void {
    this.#startErrors.push(new WidgetError(code, message));
  }

  /** The newest engine. */
  get engine(): FakeAudioEngine {
    const engine = this.engines.at(-1);
    if (!engine) throw new Error("No audio engine was created yet.");
    return engine;
  }

  readonly factory: AudioFactory = (options) => {
    const engine = new FakeAudioEngine(options, this.#startErrors.shift(), this.holdPlayback);
    this.engines.push(engine);
    return engine;
  };
}
