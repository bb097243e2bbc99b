/**
 * The widget's audio path: one AudioContext, the capture worklet (device rate → 16 kHz frames),
 * Silero v5 speech probabilities (inference serialized: the model is recurrent), end-of-turn
 * segmentation, barge-in detection over the playback state, and the playback worklet.
 */
import { BargeInDetector, type BargeInDecision, type BargeInOptions } from "@voice-agent/dsp";
import { EndOfTurn, type EndOfTurnOptions } from "@voice-agent/dsp";
import { levelDb } from "@voice-agent/dsp";
import { WidgetError } from "../widget-error.ts";
import { loadBrowserSpeechModel } from "./browser-speech-model.ts";
import { DEFAULT_MIC_CONSTRAINTS, openMicrophone, type Microphone } from "./microphone.ts";
import { Player, type HoldReport, type PlayerOptions, type StopReport } from "./player.ts";
import { VAD_FRAME_SAMPLES, type SpeechModel } from "./speech-model.ts";
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
  /**
   * The visitor confirmed speaking over a reply: the engine has already faded playback out (it went
   * silent at the first weak sign of speech, when the detector put the reply on hold).
   * `playedMs` is how much of reply `replyId` the visitor heard (from the playback clock).
   */
  bargeIn(report: { replyId: number; playedMs: number }): void;
  /** A finished turn, trimmed to the speech plus pads. */
  utterance(utterance: Utterance): void;
  error(error: WidgetError): void;
}

/** Options of {@link AudioEngine}. */
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
}

/**
 * When one VAD frame went through the engine, all in context frames (the AudioContext's clock at its
 * rate), so capture, decisions and playback share one timeline.
 */
export interface FrameTiming {
  /** Frames seen since start (0-based). */
  index: number;
  /** The input sample that completed the frame (stamped by the capture worklet). */
  endFrame: number;
  /** `context.currentTime` when the frame reached the main thread. */
  receivedFrame: number;
  /** `context.currentTime` when its speech probability was known and the stages had run. */
  decidedFrame: number;
}

/** Measurement hooks for tests and benchmarks; not needed to run a conversation. */
export interface AudioEngineProbe {
  /** The context frame of the first captured sample. */
  started?(contextFrame: number): void;
  /** Each 16 kHz frame with its speech probability and timing, in order (after the stages ran). */
  frame?(samples: Float32Array, probability: number, timing: FrameTiming): void;
  /** A frame made the barge-in detector or the end-of-turn stage decide something. */
  decision?(kind: "hold" | "release" | "confirm" | "speech-start" | "turn-end", timing: FrameTiming): void;
  /** A hold silenced playback: the hold report (context frame at which output went silent). */
  held?(report: HoldReport): void;
  /** A barge-in stopped playback: the full stop report (context frame at which output went silent). */
  stopped?(report: StopReport): void;
}

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
  #events: AudioEngineEvents;
  #endOfTurn: EndOfTurn;
  #bargeIn: BargeInDetector;
  #model: Promise<SpeechModel> | undefined;
  #mic: Microphone | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #lastReply: number | undefined;
  #muted = false;
  #frameIndex = 0;

  constructor(options: AudioEngineOptions, events: AudioEngineEvents) {
    this.#options = options;
    this.#events = events;
    this.#endOfTurn = new EndOfTurn({ ...options.turn, frameSamples: VAD_FRAME_SAMPLES });
    this.#bargeIn = new BargeInDetector({ ...options.bargeIn, frameMs: this.#endOfTurn.frameMs });
    this.context = options.context ?? new AudioContext({ latencyHint: "interactive", ...(options.sampleRate ? { sampleRate: options.sampleRate } : {}) });
  }

  /**
   * Waits for the context to run, loads the VAD and worklets and opens the mic. Rejects with `audio`
   * when the context does not run or a worklet does not load within `startTimeoutMs`, `vad` when the
   * model fails or takes longer than `vadTimeoutMs`, `mic-denied` or `no-mic`.
   */
  async start(): Promise<void> {
    const { assetBase: base, startTimeoutMs: ms = START_TIMEOUT_MS, vadTimeoutMs: vadMs = VAD_TIMEOUT_MS } = this.#options;
    await within(this.context.resume(), ms, "audio", "Starting the AudioContext");
    this.#model = loadBrowserSpeechModel(base);
    const model = within(this.#model, vadMs, "vad", "Loading the voice activity model");
    model.catch(() => {}); // reported through the frame queue or below
    const worklets = Promise.all([Player.create(this.context, new URL("playback.worklet.js", base).href, this.#options.playback), this.context.audioWorklet.addModule(new URL("capture.worklet.js", base).href)]);
    [this.player] = await within(worklets, ms, "audio", "Loading the audio worklets");
    // No deadline: the browser may be showing its permission prompt, and the visitor takes their time.
    this.#mic = await openMicrophone(this.context, { frame: (frame, endFrame) => this.#onFrame(frame, endFrame), started: (at) => this.probe.started?.(at) }, this.#options.microphone ?? DEFAULT_MIC_CONSTRAINTS);
    if (this.#muted) this.#mic.setEnabled(false);
    await model;
  }

  /** Sample rate the mic is captured at, Hz. */
  get deviceRate(): number {
    return this.context.sampleRate;
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

  close(): void {
    this.#closed = true;
    this.#mic?.close();
    this.player?.close();
    void this.#model?.then((m) => m.release()).catch(() => {});
    void this.context.close().catch(() => {});
  }

  #onFrame(frame: Float32Array, endFrame: number): void {
    const timing: FrameTiming = { index: this.#frameIndex++, endFrame, receivedFrame: this.#now(), decidedFrame: 0 };
    this.#queue = this.#queue.then(() => this.#process(frame, timing)).catch((error) => this.#events.error(WidgetError.from(error)));
  }

  #now(): number {
    return Math.round(this.context.currentTime * this.context.sampleRate);
  }

  async #process(frame: Float32Array, timing: FrameTiming): Promise<void> {
    if (this.#closed || !this.#model) return;
    const model = await this.#model;
    const probability = await model.probability(frame);
    if (this.#closed) return;
    timing.decidedFrame = this.#now();
    const bargeIn = this.#decideBargeIn(probability, levelDb(frame, 4));
    const result = this.#endOfTurn.process(frame, probability);
    this.probe.frame?.(frame, probability, timing);
    if (bargeIn !== "none") this.probe.decision?.(bargeIn, timing);
    if (result.kind === "speech-start" || result.kind === "turn-end") this.probe.decision?.(result.kind, timing);
    if (result.kind === "speech-start") this.#events.speechStart();
    else if (result.kind === "turn-end") this.#events.utterance(result);
  }

  #decideBargeIn(probability: number, level: number): BargeInDecision["kind"] {
    const player = this.player;
    if (!player) return "none";
    const reply = player.activeReply;
    // A new reply can start before any frame saw the previous one end: re-arm the detector for it.
    if (reply !== undefined && reply !== this.#lastReply) this.#bargeIn.rearm();
    this.#lastReply = reply;
    const decision = this.#bargeIn.process(probability, reply !== undefined, level);
    if (decision.kind === "hold") {
      void player.hold().then((report) => {
        if (report && !this.#closed) this.probe.held?.(report);
      });
    } else if (decision.kind === "release") player.resume();
    else if (decision.kind === "confirm") {
      // Not awaited: the next frames must not wait for the worklet's report.
      void player.stop().then((report) => {
        if (!report || this.#closed) return;
        this.probe.stopped?.(report);
        this.#events.bargeIn({ replyId: report.replyId, playedMs: report.playedMs });
      });
    }
    return decision.kind;
  }
}
