/**
 * The widget's audio path: one AudioContext, the capture worklet (device rate → 16 kHz frames), the
 * audio loop (Silero v5, end of turn, barge-in; in a Worker when one can start, see
 * `audio-loop-host.ts`) and the playback worklet. The capture worklet feeds the loop and the loop
 * commands the playback worklet on ports of their own, and fetches the reply's speech and feeds it to
 * the worklet (`speech-feed.ts`): no decision and no reply audio waits for the host page's main thread. This class wires them and turns the loop's events into {@link AudioEngineEvents}.
 */
import { WidgetError } from "../widget-error.ts";
import { startAudioLoop, type AudioLoopHandle } from "./audio-loop-host.ts";
import { epochMs } from "./clock.ts";
import type { AudioLoopPath, LoopDecision, LoopEvent, LoopFrameTiming } from "./loop-messages.ts";
import { DEFAULT_MIC_CONSTRAINTS, openMicrophone, type Microphone } from "./microphone.ts";
import { Player, type HoldReport, type PlayerOptions, type StopReport } from "./player.ts";
import type { BargeInOptions, EndOfTurnOptions } from "@voice-agent/dsp";
import { START_TIMEOUT_MS, VAD_TIMEOUT_MS, within } from "../within.ts";

/** One finished utterance: 16 kHz mono samples and its stream times in ms. */
export interface Utterance {
  audio: Float32Array;
  startMs: number;
  endMs: number;
}

/** What the engine reports to its owner. */
export interface AudioEngineEvents {
  /** The VAD saw speech begin (any onset, also while a reply plays). */
  speechStart(): void;
  /** The microphone's level, dBFS, once per 32 ms frame (what the launcher shows while listening). */
  level(db: number): void;
  /**
   * The visitor confirmed speaking over a reply: the engine has already faded playback out (it went
   * silent at the first weak sign of speech, when the detector put the reply on hold).
   * `playedMs` is how much of reply `replyId` the visitor heard (from the playback clock; absent for a
   * reply played outside the engine).
   */
  bargeIn(report: { replyId: number; playedMs?: number }): void;
  /**
   * A reply played outside the engine ({@link AudioEngine.watchReply}) is put on hold (`held`: silence it
   * at once, the visitor may be starting to speak) or released (a misfire: restore it). Its confirmation
   * is {@link bargeIn}, without `playedMs`.
   */
  hold?(replyId: number, held: boolean): void;
  /** A finished turn, trimmed to the speech plus pads. */
  utterance(utterance: Utterance): void;
  /**
   * The visitor paused (`turn.pauseMs` of silence): the utterance so far, as {@link utterance} would
   * report it. If the turn ends with no more speech, its utterance has the same `startMs`, `endMs` and length.
   */
  pause(utterance: Utterance): void;
  /** Speech came back after a {@link pause}: that utterance is not the turn. */
  resume(): void;
  /** While streaming ({@link AudioEngine.stream}): the microphone's 16 kHz audio, about every 96 ms. */
  audio?(samples: Float32Array): void;
  error(error: WidgetError): void;
}

export interface AudioEngineOptions {
  /** Absolute URL (ending in `/`) where the worklets, model and WASM are served. */
  assetBase: string;
  /** End-of-turn tuning (silence timeout, pads, thresholds). */
  turn: Partial<Omit<EndOfTurnOptions, "frameSamples">>;
  /**
   * Barge-in tuning while a reply plays: hold (pause) threshold and timeout, confirmation threshold and
   * duration, warm-up. Defaults: see {@link BargeInDetector}.
   */
  bargeIn?: BargeInOptions;
  /** Playback tuning: jitter cushion, ramps, route. Defaults: see {@link Player}. */
  playback?: PlayerOptions;
  /** Microphone constraints. Default: echo cancellation, noise suppression and AGC on, mono. */
  microphone?: MediaTrackConstraints;
  /**
   * AudioContext rate, Hz. Leave unset: the context runs at the device rate and the capture worklet
   * resamples to 16 kHz with our band-limited filter. Browsers do accept a mic in a context at another
   * rate (Firefox 153 too), but their own conversion is not specified and differs between engines;
   * ours is one measured path in all of them. The same context also plays the 24 kHz replies, which a
   * 16 kHz context would cut at 8 kHz. Tests pin it to exercise 44.1 and 48 kHz.
   */
  sampleRate?: number;
  /**
   * The AudioContext to use, created and resumed inside the visitor's gesture (the element's default
   * services do so synchronously in `start()`); then `sampleRate` is ignored. Default: a new context,
   * created by the constructor.
   */
  context?: AudioContext;
  /**
   * Longest wait for the AudioContext to run and for the worklets to load, each, ms. Past it `start()`
   * rejects with an `audio` error: Firefox never settles `resume()` on a context created without user
   * activation or on a machine with no audio output. The microphone permission prompt has no
   * deadline (the visitor is answering it). Default {@link START_TIMEOUT_MS}.
   */
  startTimeoutMs?: number;
  /** Longest wait for the voice activity model (model file, WASM), ms; then a `vad` error. Default {@link VAD_TIMEOUT_MS}. */
  vadTimeoutMs?: number;
  /**
   * Where the audio loop runs: `auto` (default: a Worker when one starts, else the main thread),
   * `main-thread`, or the absolute URL of a same-origin worker bootstrap (see `audio-loop-host.ts`).
   */
  worker?: string;
}

/**
 * When one VAD frame went through the audio loop, all in context frames (the AudioContext's clock at its
 * rate), so capture, decisions and playback share one timeline: `index` (0-based), `endFrame` (the input
 * sample that completed the frame, stamped by the capture worklet), `receivedFrame` (when the frame
 * reached the loop) and `decidedFrame` (when its probability was known and the stages had run). In a
 * Worker, the last two are mapped from its clock through readings of the context's.
 */
export type FrameTiming = LoopFrameTiming;

/** Measurement hooks for tests and benchmarks; not needed to run a conversation. */
export interface AudioEngineProbe {
  /** The context frame of the first captured sample. */
  started?(contextFrame: number): void;
  /** Each 16 kHz frame with its speech probability and timing, in order (after the stages ran). */
  frame?(samples: Float32Array, probability: number, timing: FrameTiming): void;
  /** A frame made the barge-in detector or the end-of-turn stage decide something. */
  decision?(kind: LoopDecision, timing: FrameTiming): void;
  /** A hold silenced playback: the hold report (context frame at which output went silent). */
  held?(report: HoldReport): void;
  /** A barge-in stopped playback: the full stop report (context frame at which output went silent). */
  stopped?(report: StopReport): void;
}

/** Readings of the context clock sent to the loop while probing, ms apart. */
const CLOCK_EVERY_MS = 1000;

/**
 * Owns the audio resources of one conversation. Create it inside a user gesture, or give it a context
 * that was created and resumed in one.
 */
export class AudioEngine {
  readonly context: AudioContext;
  player: Player | undefined;
  /** Set by tests and benchmarks before {@link start}. */
  probe: AudioEngineProbe = {};
  #options: AudioEngineOptions;
  #events: AudioEngineEvents | undefined;
  #loop: AudioLoopHandle | undefined;
  #mic: Microphone | undefined;
  #closed = false;
  #muted = false;
  #clockTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: AudioEngineOptions) {
    this.#options = options;
    this.context =
      options.context ??
      new AudioContext({ latencyHint: "interactive", ...(options.sampleRate ? { sampleRate: options.sampleRate } : {}) });
  }

  /**
   * Waits for the context to run, starts the audio loop (which loads the VAD), loads the worklets and
   * opens the mic; from then on it reports to `events` (its owner's: the conversation). Rejects with `audio` when the context does not run or a worklet does not load within
   * `startTimeoutMs`, `vad` when the model fails or takes longer than `vadTimeoutMs`, `mic-denied` or `no-mic`.
   */
  async start(events: AudioEngineEvents): Promise<void> {
    this.#events = events;
    const { assetBase: base, startTimeoutMs: ms = START_TIMEOUT_MS, vadTimeoutMs: vadMs = VAD_TIMEOUT_MS } = this.#options;
    await within(this.context.resume(), ms, "audio", "Starting the AudioContext");
    const ready = this.#startLoop(base, ms);
    const model = within(ready, vadMs, "vad", "Loading the voice activity model");
    model.catch(() => {}); // reported below
    const worklets = Promise.all([
      Player.create(this.context, new URL("playback.worklet.js", base).href, this.#options.playback),
      this.context.audioWorklet.addModule(new URL("capture.worklet.js", base).href),
    ]);
    [this.player] = await within(worklets, ms, "audio", "Loading the audio worklets");
    this.player.onBargeIn = (report) => {
      if (this.#closed) return;
      this.probe.stopped?.(report);
      this.#events?.bargeIn({ replyId: report.replyId, playedMs: report.playedMs });
    };
    const loop = await model;
    const capture = new MessageChannel();
    const playback = new MessageChannel();
    const feed = new MessageChannel();
    loop.post({ kind: "connect", capture: capture.port2, playback: playback.port2, feed: feed.port2 }, [
      capture.port2,
      playback.port2,
      feed.port2,
    ]);
    this.player.connectLoop(playback.port1, feed.port1);
    // No deadline: the browser may be showing its permission prompt, and the visitor takes their time.
    this.#mic = await openMicrophone(this.context, capture.port1, this.#options.microphone ?? DEFAULT_MIC_CONSTRAINTS);
    if (this.#muted) this.#mic.setEnabled(false);
  }

  /** Where the audio loop runs (once started): a Worker, a same-origin bootstrap of it, or the main thread. */
  get loopPath(): AudioLoopPath | undefined {
    return this.#loop?.path;
  }

  /** Sample rate the mic is captured at, Hz. */
  get deviceRate(): number {
    return this.context.sampleRate;
  }

  /** The microphone's track, once started: a WebRTC call sends it (one capture, one echo canceller). */
  get microphoneTrack(): MediaStreamTrack | undefined {
    return this.#mic?.track;
  }

  /**
   * Reply `replyId` plays outside the engine (a WebRTC call's track), or none does (undefined): the barge-in
   * detector watches the microphone over it as over its own replies, and reports `hold` and `bargeIn`.
   */
  watchReply(replyId: number | undefined): void {
    this.#loop?.post({ kind: "outside-reply", replyId });
  }

  /** The capture track's settings as applied (e.g. `echoCancellation`), once started. */
  get microphoneSettings(): MediaTrackSettings | undefined {
    return this.#mic?.settings;
  }

  /**
   * Mutes or unmutes the visitor: disables the mic track's `enabled` (it delivers silence) rather than
   * stopping it, so the browser's echo canceller keeps its state. Applies once the mic opens when called before.
   */
  setMuted(muted: boolean): void {
    this.#muted = muted;
    this.#mic?.setEnabled(!muted);
  }

  /**
   * Starts or stops reporting the microphone's audio as it is captured (`audio` events), for a realtime
   * provider that detects the visitor's turns itself. The VAD, end of turn and barge-in go on as before.
   */
  stream(on: boolean): void {
    this.#loop?.post({ kind: "stream", on });
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#clockTimer);
    this.#mic?.close();
    this.player?.close();
    this.#loop?.close();
    void this.context.close().catch(() => {});
  }

  /** Starts the loop and its model; resolves once the model is loaded. */
  async #startLoop(assetBase: string, timeoutMs: number): Promise<AudioLoopHandle> {
    const { worker = "auto", turn, bargeIn } = this.#options;
    const loop = await startAudioLoop({ assetBase, worker, timeoutMs });
    if (this.#closed) {
      loop.close();
      throw new WidgetError("audio", "The audio engine was closed while starting.");
    }
    this.#loop = loop;
    const probe = Object.keys(this.probe).length > 0;
    let ready = false;
    return new Promise((resolve, reject) => {
      loop.onevent = (event) => {
        if (event.kind === "ready") {
          ready = true;
          resolve(loop);
        } else if (event.kind === "error") {
          if (!ready) reject(new WidgetError(event.code, event.message));
          else if (!this.#closed) this.#events?.error(new WidgetError(event.code, event.message));
        } else this.#onEvent(event);
      };
      loop.post({ kind: "init", assetBase, turn, ...(bargeIn ? { bargeIn } : {}), probe, sampleRate: this.context.sampleRate });
      if (!probe) return;
      const clock = () =>
        loop.post({ kind: "clock", atMs: epochMs(), contextFrame: Math.round(this.context.currentTime * this.context.sampleRate) });
      clock();
      this.#clockTimer = setInterval(clock, CLOCK_EVERY_MS);
    });
  }

  #onEvent(event: Exclude<LoopEvent, { kind: "alive" | "ready" | "error" }>): void {
    const events = this.#events;
    if (this.#closed || !events) return;
    switch (event.kind) {
      case "speech-start":
        return events.speechStart();
      case "level":
        return events.level(event.db);
      case "utterance":
        return events.utterance({ audio: event.audio, startMs: event.startMs, endMs: event.endMs });
      case "pause":
        return events.pause({ audio: event.audio, startMs: event.startMs, endMs: event.endMs });
      case "resume":
        return events.resume();
      case "audio":
        return events.audio?.(event.samples);
      case "outside-reply":
        if (event.decision === "confirm") return events.bargeIn({ replyId: event.replyId });
        return events.hold?.(event.replyId, event.decision === "hold");
      case "probe-frame":
        return this.probe.frame?.(event.samples, event.probability, event.timing);
      case "probe-decision":
        return this.probe.decision?.(event.decision, event.timing);
      case "probe-held":
        return this.probe.held?.(this.player!.heard(event.report));
      case "probe-started":
        return this.probe.started?.(event.contextFrame);
    }
  }
}
