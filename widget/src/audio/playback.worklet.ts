/**
 * Playback worklet: a preallocated FIFO of reply audio at the context rate (fed with transferred 24 kHz
 * chunks, resampled here), a start cushion against jitter, silence on underrun, and the played-frames
 * counter that is the single source of truth for what the visitor heard.
 */
import { Resampler } from "../dsp/resampler.ts";
import { TTS_SAMPLE_RATE } from "@voice-agent/relay/protocol";
import { PLAYBACK_PROCESSOR, type PlaybackCommand, type PlaybackMessage } from "./worklet-messages.ts";

const CAPACITY_SECONDS = 120;
const START_CUSHION_SECONDS = 0.15;
const PROGRESS_EVERY_SECONDS = 0.1;

class PlaybackProcessor extends AudioWorkletProcessor {
  #ring = new Float32Array(sampleRate * CAPACITY_SECONDS);
  #read = 0;
  #size = 0;
  #resampler = new Resampler({ inRate: TTS_SAMPLE_RATE, outRate: sampleRate });
  #scratch = new Float32Array(this.#resampler.maxOutput(4800));
  #reply = -1;
  #ended = false;
  #playing = false;
  #played = 0;
  #peak = 0;
  #underruns = 0;
  #sinceProgress = 0;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<PlaybackCommand>) => this.#command(event.data);
  }

  #command(cmd: PlaybackCommand): void {
    if (cmd.kind === "stop") {
      this.#size = 0;
      if (this.#reply >= 0) this.#finish();
      return;
    }
    if (cmd.replyId !== this.#reply) this.#begin(cmd.replyId);
    if (cmd.kind === "chunk") this.#push(cmd.samples);
    else {
      this.#push(new Float32Array(this.#resampler.latencyInput));
      this.#ended = true;
    }
  }

  #begin(replyId: number): void {
    this.#reply = replyId;
    this.#ended = false;
    this.#playing = false;
    this.#played = 0;
    this.#peak = 0;
    this.#underruns = 0;
    this.#size = 0;
    this.#resampler.reset();
  }

  #push(samples: Float32Array): void {
    if (this.#scratch.length < this.#resampler.maxOutput(samples.length)) {
      this.#scratch = new Float32Array(this.#resampler.maxOutput(samples.length));
    }
    const n = this.#resampler.process(samples, this.#scratch);
    const cap = this.#ring.length;
    const room = Math.min(n, cap - this.#size); // overflow drops the newest audio
    let write = (this.#read + this.#size) % cap;
    for (let i = 0; i < room; i++) {
      this.#ring[write] = this.#scratch[i]!;
      write = write + 1 === cap ? 0 : write + 1;
    }
    this.#size += room;
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0]?.[0];
    if (!out) return true;
    out.fill(0);
    if (this.#reply < 0) return true;
    if (!this.#playing && (this.#size >= sampleRate * START_CUSHION_SECONDS || (this.#ended && this.#size > 0))) this.#playing = true;
    if (this.#playing) {
      const n = Math.min(out.length, this.#size);
      const cap = this.#ring.length;
      for (let i = 0; i < n; i++) {
        const v = this.#ring[this.#read]!;
        out[i] = v;
        const a = v < 0 ? -v : v;
        if (a > this.#peak) this.#peak = a;
        this.#read = this.#read + 1 === cap ? 0 : this.#read + 1;
      }
      this.#size -= n;
      this.#played += n;
      if (n < out.length && !this.#ended) this.#underruns++;
    }
    for (let c = 1; c < (outputs[0]?.length ?? 0); c++) outputs[0]![c]!.set(out);
    if (this.#ended && this.#size === 0) this.#finish();
    else if ((this.#sinceProgress += out.length) >= sampleRate * PROGRESS_EVERY_SECONDS) this.#post("progress");
    return true;
  }

  #finish(): void {
    this.#post("drained");
    this.#reply = -1;
    this.#playing = false;
  }

  #post(kind: PlaybackMessage["kind"]): void {
    this.#sinceProgress = 0;
    const message: PlaybackMessage = {
      kind,
      replyId: this.#reply,
      playedFrames: this.#played,
      playedMs: (this.#played / sampleRate) * 1000,
      peak: this.#peak,
      underruns: this.#underruns,
    };
    this.port.postMessage(message);
  }
}

registerProcessor(PLAYBACK_PROCESSOR, PlaybackProcessor);
