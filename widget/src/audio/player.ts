/**
 * Main-thread side of the playback worklet: sends reply audio to it (through the audio loop once
 * connected, which can also fetch it), routes its output so that the browser's echo canceller sees it,
 * and turns its reports into promises and progress.
 */
import { heardMs } from "@voice-agent/dsp";
import { int16ToFloat32 } from "@voice-agent/dsp";
import { TTS_SAMPLE_RATE } from "@voice-agent/relay/protocol";
import type { PlaySpeechOptions } from "../conversation/audio-port.ts";
import type { SpeechRequest } from "../conversation/transport.ts";
import { renewsToken } from "../relay-error-codes.ts";
import { WidgetError } from "../widget-error.ts";
import type { FeedCommand, FeedEvent } from "./feed-messages.ts";
import {
  PLAYBACK_PROCESSOR,
  type ConnectCommand,
  type PlaybackCommand,
  type PlaybackMessage,
  type PlaybackReport,
  type PlaybackTuning,
} from "./worklet-messages.ts";

/**
 * Where playback goes. `"element"` (default): a `MediaStreamAudioDestinationNode` played by an
 * `<audio>` element, which Chromium's echo canceller uses as its reference (plain Web Audio output it
 * historically did not). `"context"`: `context.destination`.
 */
export type PlaybackRoute = "element" | "context";

export interface PlayerOptions extends PlaybackTuning {
  route?: PlaybackRoute;
}

/**
 * A stopped reply: what was heard, the context frame from which the output is silent, and the context
 * frame at which the worklet received the stop command.
 */
export type StopReport = PlaybackReport & { silencedAtFrame: number; stopFrame: number };

/**
 * A reply put on hold: what was heard before it paused, the context frame from which the output is
 * silent, and the context frame at which the worklet received the hold command.
 */
export type HoldReport = PlaybackReport & { silencedAtFrame: number; holdFrame: number };

/**
 * Plays streamed replies through one persistent AudioWorklet node. The barge-in detector's hold, resume
 * and stop reach the worklet from the audio loop on a port of their own ({@link Player.connectLoop});
 * once connected, this player's commands go through the loop too, and so can whole speech streams
 * ({@link Player.playSpeech}), which the loop fetches and feeds without the main thread.
 */
export class Player {
  readonly route: PlaybackRoute;
  #context: AudioContext;
  #node: AudioWorkletNode;
  #element: HTMLAudioElement | undefined;
  #done = new Map<number, (report: PlaybackReport) => void>();
  #stopped: ((report: StopReport | undefined) => void)[] = [];
  #active = -1;
  #stoppedId = -1;
  /** The audio loop's speech feed, once connected: every command goes there, in order. */
  #feed: MessagePort | undefined;
  #streams = new Map<number, (event: FeedEvent) => void>();
  #streamIds = 0;
  /** The newest report of the reply being played. */
  progress: PlaybackReport | undefined;
  /**
   * Called when a confirmed barge-in (the audio loop's stop) stopped a reply, before anything waiting
   * for that reply's end hears of it.
   */
  onBargeIn: ((report: StopReport) => void) | undefined;

  /** Loads the worklet module from `workletUrl` (the context must already be running or resumable). */
  static async create(context: AudioContext, workletUrl: string, options: PlayerOptions = {}): Promise<Player> {
    await context.audioWorklet.addModule(workletUrl);
    const { route = "element", ...tuning } = options;
    const node = new AudioWorkletNode(context, PLAYBACK_PROCESSOR, {
      numberOfInputs: 0,
      outputChannelCount: [1],
      processorOptions: tuning,
    });
    let element: HTMLAudioElement | undefined;
    if (route === "element") {
      const destination = context.createMediaStreamDestination();
      node.connect(destination);
      element = new Audio();
      element.srcObject = destination.stream;
      // The context was resumed by a user gesture, so autoplay allows this element too.
      await element.play();
    } else {
      node.connect(context.destination);
    }
    return new Player(context, node, route, element);
  }

  private constructor(context: AudioContext, node: AudioWorkletNode, route: PlaybackRoute, element: HTMLAudioElement | undefined) {
    this.#context = context;
    this.#node = node;
    this.route = route;
    this.#element = element;
    node.port.onmessage = (event: MessageEvent<PlaybackMessage>) => this.#report(event.data);
  }

  /** Id of the reply queued or playing, or undefined when nothing is. */
  get activeReply(): number | undefined {
    return this.#active >= 0 ? this.#active : undefined;
  }

  /** Queues 16-bit PCM at 24 kHz for reply `replyId`. */
  enqueue(replyId: number, pcm: Int16Array): void {
    if (replyId === this.#stoppedId) return;
    const samples = int16ToFloat32(pcm);
    this.#active = replyId;
    this.#send({ kind: "chunk", replyId, samples }, [samples.buffer]);
  }

  /** Marks the end of reply `replyId`; resolves once all of it has been played (or it was stopped). */
  end(replyId: number): Promise<PlaybackReport> {
    if (replyId === this.#stoppedId && this.progress?.replyId === replyId) return Promise.resolve(this.progress);
    const done = new Promise<PlaybackReport>((resolve) => this.#done.set(replyId, resolve));
    this.#send({ kind: "end", replyId });
    return done;
  }

  /**
   * Fades the playing reply out within one render quantum (at once when on hold) and drops the rest (chunks of it that arrive
   * later too). Resolves with what was heard, or undefined when nothing was playing.
   */
  stop(): Promise<StopReport | undefined> {
    if (this.#active < 0) return Promise.resolve(undefined);
    this.#stoppedId = this.#active;
    const stopped = new Promise<StopReport | undefined>((resolve) => this.#stopped.push(resolve));
    this.#send({ kind: "stop" });
    return stopped;
  }

  /**
   * Plays the speech stream `request` describes as part of reply `replyId`, after what is queued: the
   * audio loop fetches it and feeds the worklet (see `PlaybackPort.playSpeech`). Needs
   * {@link connectLoop}. A stream of a stopped reply is not fetched.
   */
  playSpeech(replyId: number, request: SpeechRequest, { signal, onAudio, renew }: PlaySpeechOptions): Promise<void> {
    const feed = this.#feed;
    if (!feed) throw new Error("Player.playSpeech needs the audio loop: call connectLoop first.");
    if (signal.aborted) return Promise.reject(signal.reason);
    if (replyId === this.#stoppedId) return Promise.resolve();
    this.#active = replyId;
    const streamId = ++this.#streamIds;
    return new Promise((resolve, reject) => {
      let retried = renew === undefined;
      const settle = (error?: unknown) => {
        if (!this.#streams.delete(streamId)) return;
        signal.removeEventListener("abort", abort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const cancel = (error: unknown) => {
        if (this.#streams.has(streamId)) this.#post({ kind: "speech-cancel", streamId });
        settle(error);
      };
      const abort = () => cancel(signal.reason);
      signal.addEventListener("abort", abort, { once: true });
      this.#streams.set(streamId, (event) => {
        if (event.kind === "speech-audio") return onAudio((event.samples / TTS_SAMPLE_RATE) * 1000, event.atMs - performance.timeOrigin);
        if (event.kind === "speech-end") return settle();
        const error = WidgetError.fromData(event.error);
        if (retried || !renewsToken(error)) return cancel(error);
        // An expired token: renewed once, then the same stream is fetched again in its place.
        retried = true;
        renew!().then((fresh) => this.#streams.has(streamId) && this.#post({ kind: "speech-retry", streamId, request: fresh }), cancel);
      });
      this.#post({ kind: "speech", replyId, streamId, request });
    });
  }

  /**
   * Connects the audio loop: `worklet` goes to the worklet (the loop sends hold, resume and stop on it
   * and gets every report), `feed` is this player's port to the loop's speech feed, which from now on
   * carries its commands to the worklet in order.
   */
  connectLoop(worklet: MessagePort, feed: MessagePort): void {
    const command: ConnectCommand = { kind: "connect", port: worklet };
    this.#node.port.postMessage(command, [worklet]);
    this.#feed = feed;
    feed.onmessage = (event: MessageEvent<FeedEvent>) => this.#streams.get(event.data.streamId)?.(event.data);
  }

  close(): void {
    this.#node.port.onmessage = null;
    if (this.#feed) this.#feed.onmessage = null;
    this.#node.disconnect();
    if (this.#element) {
      this.#element.pause();
      this.#element.srcObject = null;
    }
    for (const resolve of this.#stopped.splice(0)) resolve(undefined);
  }

  /** A stop report of the worklet with what the visitor heard (`playedMs`, output latency deducted). */
  heard(message: Extract<PlaybackMessage, { kind: "stopped" }>): StopReport;
  /** A hold report of the worklet with what the visitor heard before it paused. */
  heard(message: Extract<PlaybackMessage, { kind: "paused" }>): HoldReport;
  heard(message: Extract<PlaybackMessage, { kind: "stopped" | "paused" }>): StopReport | HoldReport {
    const report = this.#toReport(message);
    return message.kind === "paused"
      ? { ...report, silencedAtFrame: message.silencedAtFrame, holdFrame: message.holdFrame }
      : { ...report, silencedAtFrame: message.silencedAtFrame, stopFrame: message.stopFrame };
  }

  #toReport(message: Exclude<PlaybackMessage, { kind: "begin" }>): PlaybackReport {
    const { kind, ...rest } = message;
    return {
      replyId: rest.replyId,
      playedFrames: rest.playedFrames,
      receivedFrames: rest.receivedFrames,
      peak: rest.peak,
      underruns: rest.underruns,
      heldFrames: rest.heldFrames,
      // Drained: all of it will be heard. Otherwise what has left the output device so far; on hold,
      // the device has been playing silence for `heldFrames`, so that much less is still inside it.
      playedMs:
        kind === "drained"
          ? rest.playedMs
          : heardMs(
              rest.playedFrames,
              rest.receivedFrames,
              Math.max(0, this.#outputLatency() - rest.heldFrames / this.#context.sampleRate),
              this.#context.sampleRate,
            ),
    };
  }

  #report(message: PlaybackMessage): void {
    if (message.kind === "begin") return;
    const report = this.#toReport(message);
    this.progress = report;
    const { kind } = message;
    if (kind === "progress" || kind === "paused") return;
    if (this.#active === report.replyId) this.#active = -1;
    // Stopped here or by the audio loop's barge-in: later chunks of it are dropped, its end resolves at once.
    if (kind === "stopped") this.#stoppedId = report.replyId;
    if (kind === "stopped" && message.bargeIn) this.onBargeIn?.(this.heard(message));
    this.#done.get(report.replyId)?.(report);
    this.#done.delete(report.replyId);
    // A stop that crossed a "drained" report on the port resolves with nothing left to stop.
    const stop = kind === "stopped" ? this.heard(message) : undefined;
    for (const resolve of this.#stopped.splice(0)) resolve(stop);
  }

  /** Seconds between the worklet's output and the speaker (`outputLatency` is missing in some browsers). */
  #outputLatency(): number {
    return this.#context.outputLatency || this.#context.baseLatency || 0;
  }

  #send(command: Extract<PlaybackCommand, FeedCommand>, transfer: Transferable[] = []): void {
    if (this.#feed) this.#post(command, transfer);
    else this.#node.port.postMessage(command, transfer);
  }

  #post(command: FeedCommand, transfer: Transferable[] = []): void {
    this.#feed!.postMessage(command, transfer);
  }
}
