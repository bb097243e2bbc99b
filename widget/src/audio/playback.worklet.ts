/**
 * Playback worklet: glue around {@link PlaybackQueue}. Reply audio arrives as transferred 24 kHz
 * chunks, is resampled to the context rate here and queued; each render quantum pulls from the queue
 * and reports progress. The queue's rendered-frames count is the single source of truth for what the
 * visitor heard. Two ports: the node's own (the main thread queues reply audio) and the audio loop's
 * (hold, resume and stop decided by the barge-in detector); reports go to both, and the loop also gets
 * what was rendered, at 16 kHz, as the echo reference.
 */
import { Resampler } from "@voice-agent/dsp";
import { PlaybackQueue } from "@voice-agent/dsp";
import { TTS_SAMPLE_RATE } from "@voice-agent/relay/protocol";
import {
  PLAYBACK_PROCESSOR,
  REFERENCE_BLOCK,
  type ConnectCommand,
  type PlaybackCommand,
  type PlaybackMessage,
  type PlaybackTuning,
  type ReferenceMessage,
} from "./worklet-messages.ts";

const PROGRESS_EVERY_SECONDS = 0.1;

class PlaybackProcessor extends AudioWorkletProcessor {
  #queue: PlaybackQueue;
  #resampler = new Resampler({ inRate: TTS_SAMPLE_RATE, outRate: sampleRate });
  #scratch = new Float32Array(this.#resampler.maxOutput(4800));
  #reply = -1;
  #stopped = -1; // a stopped reply's late chunks are dropped
  #sinceProgress = 0;
  #stopFrame = 0; // context frame at which the last stop command arrived
  #holdFrame = 0; // context frame at which the last hold command arrived
  #bargeIn = false; // the last stop command came from a confirmed barge-in
  #loop: MessagePort | undefined;
  // The echo reference: rendered output → 16 kHz blocks for the loop.
  #ref = new Resampler({ inRate: sampleRate, outRate: 16_000 });
  #refOut = new Float32Array(this.#ref.maxOutput(128));
  #refBlock = new Float32Array(REFERENCE_BLOCK);
  #refFill = 0;
  #refNext = -1; // context frame the reference stream expects next (a jump restarts it)
  #refOrigin = 0; // context frame the restarted stream began at
  #refSent = 0; // 16 kHz samples emitted since then

  constructor(options?: { processorOptions?: PlaybackTuning }) {
    super();
    this.#queue = new PlaybackQueue({ ...options?.processorOptions, sampleRate });
    this.port.onmessage = (event: MessageEvent<PlaybackCommand | ConnectCommand>) => {
      const cmd = event.data;
      if (cmd.kind !== "connect") return this.#command(cmd);
      this.#loop = cmd.port;
      this.#loop.onmessage = (e: MessageEvent<PlaybackCommand>) => this.#command(e.data);
    };
  }

  #command(cmd: PlaybackCommand): void {
    if (cmd.kind === "stop") {
      this.#stopFrame = currentFrame;
      this.#bargeIn = cmd.bargeIn === true;
      this.#queue.fadeOut();
      if (!this.#queue.active && this.#reply >= 0) this.#finish("stopped", currentFrame);
      return;
    }
    if (cmd.kind === "hold") {
      this.#holdFrame = currentFrame;
      return this.#queue.hold();
    }
    if (cmd.kind === "resume") return this.#queue.resume();
    if (cmd.replyId === this.#stopped) return;
    if (cmd.replyId !== this.#reply) {
      this.#reply = cmd.replyId;
      this.#resampler.reset();
      this.#queue.begin();
      this.#send({ kind: "begin", replyId: cmd.replyId });
    }
    if (cmd.kind === "chunk") this.#push(cmd.samples);
    else {
      this.#push(new Float32Array(this.#resampler.latencyInput));
      this.#queue.end();
    }
  }

  #push(samples: Float32Array): void {
    if (this.#scratch.length < this.#resampler.maxOutput(samples.length)) {
      this.#scratch = new Float32Array(this.#resampler.maxOutput(samples.length));
    }
    this.#queue.push(this.#scratch, this.#resampler.process(samples, this.#scratch));
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const channels = outputs[0];
    const out = channels?.[0];
    if (!channels || !out) return true;
    const result = this.#queue.render(out);
    for (let c = 1; c < channels.length; c++) channels[c]!.set(out);
    if (result.kind !== "idle" && this.#loop) this.#reference(out);
    if (result.kind === "drained") this.#finish("drained", currentFrame + out.length);
    else if (result.kind === "silenced") this.#finish("stopped", currentFrame + result.at);
    else if (result.kind === "paused") this.#post("paused", currentFrame + result.at);
    else if (result.kind !== "idle" && (this.#sinceProgress += out.length) >= sampleRate * PROGRESS_EVERY_SECONDS)
      this.#post("progress", 0);
    return true;
  }

  /** Resamples one rendered quantum to 16 kHz for the loop, in blocks stamped with their context frame. */
  #reference(out: Float32Array): void {
    if (currentFrame !== this.#refNext) {
      this.#ref.reset();
      this.#refFill = 0;
      this.#refOrigin = currentFrame;
      this.#refSent = 0;
    }
    this.#refNext = currentFrame + out.length;
    const n = this.#ref.process(out, this.#refOut);
    for (let i = 0; i < n; i++) {
      this.#refBlock[this.#refFill++] = this.#refOut[i]!;
      if (this.#refFill < REFERENCE_BLOCK) continue;
      // Output sample k of the resampler stands for input frame k × ratio − its delay.
      const contextFrame = Math.round(this.#refOrigin + (this.#refSent * sampleRate) / 16_000 - this.#ref.latencyInput);
      const message: ReferenceMessage = { kind: "rendered", samples: this.#refBlock, contextFrame };
      this.#loop!.postMessage(message, [this.#refBlock.buffer]);
      this.#refBlock = new Float32Array(REFERENCE_BLOCK);
      this.#refFill = 0;
      this.#refSent += REFERENCE_BLOCK;
    }
  }

  #finish(kind: "drained" | "stopped", frame: number): void {
    this.#post(kind, frame);
    if (kind === "stopped") this.#stopped = this.#reply;
    this.#reply = -1;
  }

  /** Posts a report; `frame` is the context frame at which the output went silent (stopped, paused). */
  #post(kind: Exclude<PlaybackMessage["kind"], "begin">, frame: number): void {
    this.#sinceProgress = 0;
    const q = this.#queue;
    const report = {
      replyId: this.#reply,
      playedFrames: q.playedFrames,
      receivedFrames: q.receivedFrames,
      playedMs: (q.playedFrames / sampleRate) * 1000,
      peak: q.peak,
      underruns: q.underruns,
      heldFrames: q.heldFrames,
    };
    let message: PlaybackMessage;
    if (kind === "stopped") message = { kind, silencedAtFrame: frame, stopFrame: this.#stopFrame, bargeIn: this.#bargeIn, ...report };
    else if (kind === "paused") message = { kind, silencedAtFrame: frame, holdFrame: this.#holdFrame, ...report };
    else message = { kind, ...report };
    this.#send(message);
  }

  #send(message: PlaybackMessage): void {
    this.port.postMessage(message);
    this.#loop?.postMessage(message);
  }
}

registerProcessor(PLAYBACK_PROCESSOR, PlaybackProcessor);
