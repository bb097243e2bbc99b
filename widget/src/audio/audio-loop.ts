/**
 * The audio loop: Silero v5 speech probabilities (inference serialized: the model is recurrent),
 * end-of-turn segmentation and barge-in detection, fed by the capture worklet's port and commanding the
 * playback worklet through its own port. The barge-in detector judges the near end: the echo estimator
 * takes out what the playback worklet reports it rendered (the agent's own voice coming back). It runs in a dedicated Worker, so that a busy host page never
 * delays a decision, or on the main thread as the fallback; either way the engine talks to it through
 * one port ({@link LoopCommand} in, {@link LoopEvent} out).
 */
import { BargeInDetector, EchoEstimator, EndOfTurn } from "@voice-agent/dsp";
import { epochMs } from "./clock.ts";
import { STREAM_FRAMES, type LoopCommand, type LoopDecision, type LoopEvent, type LoopFrameTiming } from "./loop-messages.ts";
import { VAD_FRAME_SAMPLES, type SpeechModel } from "./speech-model.ts";
import { SpeechFeed } from "./speech-feed.ts";
import type { CaptureMessage, PlaybackCommand, PlaybackMessage, ReferenceMessage } from "./worklet-messages.ts";

/** The loop's end of the engine's port: a `MessagePort`, or the Worker's global scope. */
export interface LoopPort {
  postMessage(message: LoopEvent, transfer: Transferable[]): void;
  onmessage: ((event: MessageEvent<LoopCommand>) => void) | null;
}

/** Posts an event to the engine (with a transfer list). */
export type LoopOutput = (event: LoopEvent, transfer?: Transferable[]) => void;

/**
 * Serves one engine on `port`: waits for `init`, loads the model with `loadModel`, then runs frames from
 * the capture port once `connect` arrives.
 */
export function serveAudioLoop(port: LoopPort, loadModel: (assetBase: string) => Promise<SpeechModel>): void {
  const out: LoopOutput = (event, transfer = []) => port.postMessage(event, transfer);
  let loop: AudioLoop | undefined;
  let pending: Extract<LoopCommand, { kind: "connect" }> | undefined;
  port.onmessage = (event) => {
    const command = event.data;
    if (command.kind === "init") {
      loadModel(command.assetBase).then(
        (model) => {
          loop = new AudioLoop(command, model, out);
          if (pending) loop.connect(pending);
          out({ kind: "ready" });
        },
        (error: unknown) => out({ kind: "error", code: "vad", message: describe(error) }),
      );
    } else if (command.kind === "connect") {
      if (loop) loop.connect(command);
      else pending = command;
    } else if (command.kind === "clock") loop?.clock(command.atMs, command.contextFrame);
    else if (command.kind === "stream") loop?.stream(command.on);
    else if (command.kind === "outside-reply") loop?.outsideReply(command.replyId);
    else loop?.close();
  };
  out({ kind: "alive" });
}

/** An error's message and its cause's (errors cross the port as text). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

/** The decision loop over one conversation's frames. */
class AudioLoop {
  #endOfTurn: EndOfTurn;
  #bargeIn: BargeInDetector;
  #echo = new EchoEstimator();
  #model: SpeechModel;
  #out: LoopOutput;
  #probe: boolean;
  #rate: number;
  #playback: MessagePort | undefined;
  #capture: MessagePort | undefined;
  #feed: SpeechFeed | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** The reply the playback worklet is playing (from its `begin` until `drained`/`stopped`). */
  #active: number | undefined;
  #lastReply: number | undefined;
  /** A reply playing outside the engine (a WebRTC track), watched while the worklet plays none. */
  #outside: number | undefined;
  #frameIndex = 0;
  /** Context frame of the first captured sample: the origin of the 16 kHz capture timeline. */
  #captureStart: number | undefined;
  /** Context frame minus epoch ms × rate, from the freshest clock reading (currentTime lags, never leads). */
  #clockOffset: number | undefined;
  /** While streaming: the frames not posted yet. */
  #streamed: Float32Array[] | undefined;

  constructor(init: Extract<LoopCommand, { kind: "init" }>, model: SpeechModel, out: LoopOutput) {
    this.#model = model;
    this.#out = out;
    this.#probe = init.probe;
    this.#rate = init.sampleRate;
    this.#endOfTurn = new EndOfTurn({ ...init.turn, frameSamples: VAD_FRAME_SAMPLES });
    this.#bargeIn = new BargeInDetector({ ...init.bargeIn, frameMs: this.#endOfTurn.frameMs });
  }

  connect({ capture, playback, feed }: Extract<LoopCommand, { kind: "connect" }>): void {
    this.#feed = new SpeechFeed(feed, (command, transfer) => playback.postMessage(command, transfer));
    this.#capture = capture;
    this.#playback = playback;
    capture.onmessage = (event: MessageEvent<CaptureMessage>) => {
      const message = event.data;
      if (message.kind === "frame") return this.#onFrame(message.samples, message.endFrame);
      this.#captureStart = message.contextFrame;
      if (this.#probe) this.#out({ kind: "probe-started", contextFrame: message.contextFrame });
    };
    playback.onmessage = (event: MessageEvent<PlaybackMessage | ReferenceMessage>) => {
      const message = event.data;
      if (message.kind === "rendered") this.#onReference(message);
      else this.#onPlayback(message);
    };
  }

  clock(atMs: number, contextFrame: number): void {
    const offset = contextFrame - (atMs * this.#rate) / 1000;
    // A reading taken just after the audio thread advanced currentTime is the most accurate: keep the
    // largest offset, but let it fall back slowly so that drift between the clocks is followed.
    this.#clockOffset = this.#clockOffset === undefined ? offset : Math.max(offset, this.#clockOffset - this.#rate / 1000);
  }

  /** Starts or stops posting the microphone's audio (for a provider that detects turns itself). */
  stream(on: boolean): void {
    this.#streamed = on ? [] : undefined;
  }

  /** Watches for barge-in on reply `replyId` played outside the engine, or stops (undefined). */
  outsideReply(replyId: number | undefined): void {
    this.#outside = replyId;
  }

  close(): void {
    this.#closed = true;
    if (this.#capture) this.#capture.onmessage = null;
    if (this.#playback) this.#playback.onmessage = null;
    this.#feed?.close();
    void this.#model.release().catch(() => {});
  }

  #now(): number {
    return this.#clockOffset === undefined ? 0 : Math.round(this.#clockOffset + (epochMs() * this.#rate) / 1000);
  }

  #onFrame(frame: Float32Array, endFrame: number): void {
    if (this.#streamed) this.#stream(frame);
    const timing: LoopFrameTiming = { index: this.#frameIndex++, endFrame, receivedFrame: this.#now(), decidedFrame: 0 };
    this.#queue = this.#queue
      .then(() => this.#process(frame, timing))
      .catch((error: unknown) => this.#out({ kind: "error", code: "vad", message: `The voice activity model failed: ${describe(error)}` }));
  }

  /** Posts the audio every {@link STREAM_FRAMES} frames, before the model runs on it (no decision waits for it). */
  #stream(frame: Float32Array): void {
    const streamed = this.#streamed!;
    streamed.push(frame.slice());
    if (streamed.length < STREAM_FRAMES) return;
    const samples = new Float32Array(streamed.reduce((n, f) => n + f.length, 0));
    streamed.reduce((at, f) => (samples.set(f, at), at + f.length), 0);
    this.#streamed = [];
    this.#out({ kind: "audio", samples }, [samples.buffer]);
  }

  async #process(frame: Float32Array, timing: LoopFrameTiming): Promise<void> {
    if (this.#closed) return;
    const probability = await this.#model.probability(frame);
    if (this.#closed) return;
    timing.decidedFrame = this.#now();
    const echo = this.#echo.process(frame, timing.index * VAD_FRAME_SAMPLES);
    const bargeIn = this.#decideBargeIn(probability, echo.levelDb, echo.kind === "echo" ? echo.nearDb : undefined, echo.bandRiseDb);
    const result = this.#endOfTurn.process(frame, probability);
    this.#out({ kind: "level", db: echo.levelDb });
    if (this.#probe) {
      this.#out({ kind: "probe-frame", samples: frame, probability, timing }, [frame.buffer]);
      if (bargeIn !== "none") this.#decision(bargeIn, timing);
      if (result.kind === "speech-start" || result.kind === "turn-end") this.#decision(result.kind, timing);
    }
    if (result.kind === "speech-start" || result.kind === "resume") this.#out({ kind: result.kind });
    else if (result.kind === "turn-end" || result.kind === "pause") {
      const kind = result.kind === "pause" ? "pause" : "utterance";
      this.#out({ kind, audio: result.audio, startMs: result.startMs, endMs: result.endMs }, [result.audio.buffer]);
    }
  }

  #decision(decision: LoopDecision, timing: LoopFrameTiming): void {
    this.#out({ kind: "probe-decision", decision, timing: { ...timing } });
  }

  /** The rendered reply, placed on the capture's 16 kHz timeline (the echo path's delay is the estimator's to find). */
  #onReference({ samples, contextFrame }: ReferenceMessage): void {
    if (this.#captureStart === undefined) return;
    const index = Math.round(((contextFrame - this.#captureStart) * 16_000) / this.#rate);
    if (index >= 0) this.#echo.pushReference(samples, index);
  }

  #decideBargeIn(
    probability: number,
    level: number,
    nearDb: number | undefined,
    bandRiseDb: number,
  ): ReturnType<BargeInDetector["process"]>["kind"] {
    const outside = this.#active === undefined ? this.#outside : undefined;
    const reply = this.#active ?? outside;
    // A new reply can start before any frame saw the previous one end: re-arm the detector for it.
    if (reply !== undefined && reply !== this.#lastReply) this.#bargeIn.rearm();
    this.#lastReply = reply;
    const decision = this.#bargeIn.process(probability, reply !== undefined, level, nearDb, bandRiseDb);
    if (outside !== undefined) {
      // The engine does not play it: the owner silences it, at once.
      if (decision.kind === "confirm") this.#outside = undefined;
      if (decision.kind === "hold" || decision.kind === "release" || decision.kind === "confirm")
        this.#out({ kind: "outside-reply", replyId: outside, decision: decision.kind });
    }
    // Hold and stop fade the reply out within one render quantum; the worklet reports when it is silent.
    else if (decision.kind === "hold") this.#command({ kind: "hold" });
    else if (decision.kind === "release") this.#command({ kind: "resume" });
    else if (decision.kind === "confirm") this.#command({ kind: "stop", bargeIn: true });
    return decision.kind;
  }

  #command(command: PlaybackCommand): void {
    this.#playback?.postMessage(command);
  }

  #onPlayback(message: PlaybackMessage): void {
    if (message.kind === "begin") this.#active = message.replyId;
    else if (message.kind === "paused") {
      if (this.#probe) this.#out({ kind: "probe-held", report: message });
    } else if ((message.kind === "drained" || message.kind === "stopped") && this.#active === message.replyId) this.#active = undefined;
  }
}
