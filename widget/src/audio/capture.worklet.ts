/**
 * Capture worklet: mixes the mic down to mono, resamples the device rate to 16 kHz and posts
 * 512-sample frames (transferred) to the audio loop's port, given by a `connect` message (frames
 * captured before it arrives wait for it). Nothing else happens on the audio thread. With the
 * `processorOptions` `{ mirror: true }` (measurement tools only: the e2e benchmark) it also posts a
 * copy of each message on its own port. The context runs at the
 * device rate and the rate conversion is ours, so every browser gets the same band-limited filter.
 */
import { Resampler } from "@voice-agent/dsp";
import { CAPTURE_PROCESSOR, type CaptureMessage, type ConnectCommand } from "./worklet-messages.ts";

const FRAME_SAMPLES = 512;
const QUANTUM = 128;

class CaptureProcessor extends AudioWorkletProcessor {
  #resampler = new Resampler({ inRate: sampleRate, outRate: 16_000 });
  #mono = new Float32Array(QUANTUM);
  #silence = [new Float32Array(QUANTUM)];
  #resampled = new Float32Array(this.#resampler.maxOutput(QUANTUM));
  #frame = new Float32Array(FRAME_SAMPLES);
  #fill = 0;
  #started = false;
  #loop: MessagePort | undefined;
  #waiting: CaptureMessage[] = [];

  #mirror: boolean;

  constructor(options?: { processorOptions?: { mirror?: boolean } }) {
    super();
    this.#mirror = options?.processorOptions?.mirror === true;
    this.port.onmessage = (event: MessageEvent<ConnectCommand>) => {
      this.#loop = event.data.port;
      for (const message of this.#waiting.splice(0)) this.#send(message);
    };
  }

  process(inputs: Float32Array[][]): boolean {
    // Firefox hands a digitally silent track (muted or virtual device) to the worklet as an input with
    // no channels. That is a quantum of silence: end of turn must see it, so it becomes zeros.
    const channels = inputs[0]?.length ? inputs[0] : this.#silence;
    const first = channels[0]!;
    if (!this.#started) {
      this.#started = true;
      this.#send({ kind: "started", contextFrame: currentFrame });
    }
    const n = first.length;
    const mono = this.#mono.subarray(0, n);
    mono.set(first);
    for (let c = 1; c < channels.length; c++) {
      const ch = channels[c]!;
      for (let i = 0; i < n; i++) mono[i]! += ch[i]!;
    }
    if (channels.length > 1) for (let i = 0; i < n; i++) mono[i]! /= channels.length;
    const count = this.#resampler.process(mono, this.#resampled);
    for (let i = 0; i < count; i++) {
      this.#frame[this.#fill++] = this.#resampled[i]!;
      // The output samples of one quantum are spread evenly over its input: stamp the frame with the
      // context frame of the input sample that completed it (± a few input samples).
      if (this.#fill === FRAME_SAMPLES) this.#post(currentFrame + Math.round(((i + 1) * n) / count) - 1);
    }
    return true;
  }

  #post(endFrame: number): void {
    this.#send({ kind: "frame", samples: this.#frame, endFrame });
    // The buffer went to the loop; a fresh one per 32 ms frame is the price of transferring.
    this.#frame = new Float32Array(FRAME_SAMPLES);
    this.#fill = 0;
  }

  #send(message: CaptureMessage): void {
    if (this.#mirror) this.port.postMessage(message.kind === "frame" ? { ...message, samples: message.samples.slice() } : message);
    if (!this.#loop) this.#waiting.push(message);
    else if (message.kind === "frame") this.#loop.postMessage(message, [message.samples.buffer]);
    else this.#loop.postMessage(message);
  }
}

registerProcessor(CAPTURE_PROCESSOR, CaptureProcessor);
