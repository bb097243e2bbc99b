/**
 * A WebRTC caller's audio on its way to the realtime state machine: decoded 48 kHz packets in, 24 kHz PCM16 out
 * in whole 20 ms chunks (the server VAD judges 20 ms at a time, so a chunk must not be split across calls).
 */
import { OPUS_RATE, PcmRateConverter } from "./opus-frames.ts";
import { SPEECH_SAMPLE_RATE } from "./speech.ts";

/** Samples of one VAD chunk at 24 kHz (20 ms). */
const CHUNK = (SPEECH_SAMPLE_RATE / 1000) * 20;

export class MicStream {
  readonly #downsampler = new PcmRateConverter(OPUS_RATE, SPEECH_SAMPLE_RATE);
  #rest = new Int16Array(0);
  /** Audio received so far, ms (at 48 kHz, before the rate conversion). */
  receivedMs = 0;

  /** Takes one packet's samples (48 kHz); returns the whole chunks now ready (24 kHz), maybe none. */
  process(pcm: Int16Array): Int16Array {
    this.receivedMs += (pcm.length / OPUS_RATE) * 1000;
    const down = this.#downsampler.process(pcm);
    const all = new Int16Array(this.#rest.length + down.length);
    all.set(this.#rest);
    all.set(down, this.#rest.length);
    const whole = all.length - (all.length % CHUNK);
    this.#rest = all.slice(whole);
    return all.subarray(0, whole);
  }
}
