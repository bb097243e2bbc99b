/**
 * The widget's audio path: one AudioContext, the capture worklet (device rate → 16 kHz frames),
 * Silero v5 speech probabilities (inference serialized: the model is recurrent), end-of-turn
 * segmentation, and the playback worklet.
 */
import { EndOfTurn, type EndOfTurnOptions } from "../dsp/end-of-turn.ts";
import { WidgetError } from "../widget-error.ts";
import { loadBrowserSpeechModel } from "./browser-speech-model.ts";
import { openMicrophone, type Microphone } from "./microphone.ts";
import { Player } from "./player.ts";
import { VAD_FRAME_SAMPLES, type SpeechModel } from "./speech-model.ts";

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
   * The visitor confirmed speaking over a reply: the engine has already faded playback out.
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
}

/** Owns the audio resources of one conversation; create it inside a user gesture. */
export class AudioEngine {
  readonly context: AudioContext;
  player: Player | undefined;
  #options: AudioEngineOptions;
  #events: AudioEngineEvents;
  #endOfTurn: EndOfTurn;
  #model: Promise<SpeechModel> | undefined;
  #mic: Microphone | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: AudioEngineOptions, events: AudioEngineEvents) {
    this.#options = options;
    this.#events = events;
    this.#endOfTurn = new EndOfTurn({ ...options.turn, frameSamples: VAD_FRAME_SAMPLES });
    // Created synchronously so that it starts inside the click that called start().
    this.context = new AudioContext({ latencyHint: "interactive" });
  }

  /** Resumes the context, loads the VAD and worklets and opens the mic. */
  async start(): Promise<void> {
    const base = this.#options.assetBase;
    try {
      await this.context.resume();
    } catch (cause) {
      throw new WidgetError("audio", "Audio could not start.", cause);
    }
    this.#model = loadBrowserSpeechModel(base);
    this.#model.catch(() => {}); // reported through the frame queue or below
    this.player = await Player.create(this.context, new URL("playback.worklet.js", base).href);
    this.#mic = await openMicrophone(this.context, new URL("capture.worklet.js", base).href, (frame) => this.#onFrame(frame));
    await this.#model;
  }

  /** Sample rate the mic is captured at, Hz. */
  get deviceRate(): number {
    return this.context.sampleRate;
  }

  close(): void {
    this.#closed = true;
    this.#mic?.close();
    this.player?.close();
    void this.#model?.then((m) => m.release()).catch(() => {});
    void this.context.close().catch(() => {});
  }

  #onFrame(frame: Float32Array): void {
    this.#queue = this.#queue.then(() => this.#process(frame)).catch((error) => this.#events.error(WidgetError.from(error)));
  }

  async #process(frame: Float32Array): Promise<void> {
    if (this.#closed || !this.#model) return;
    const model = await this.#model;
    const probability = await model.probability(frame);
    const result = this.#endOfTurn.process(frame, probability);
    if (result.kind === "speech-start") this.#events.speechStart();
    else if (result.kind === "turn-end") this.#events.utterance(result);
  }
}
