/**
 * Opus for the stand-in's WebRTC peer: 20 ms frames of 48 kHz mono PCM16 encoded and decoded with
 * `opusscript` (libopus compiled to WASM, no native addon), and the rate conversion between WebRTC's 48 kHz
 * and the 24 kHz of the realtime event protocol.
 */
import { createRequire } from "node:module";
import { float32ToInt16, int16ToFloat32, Resampler } from "@voice-agent/dsp";
import type OpusScriptType from "opusscript";

/** Opus's clock rate in RTP and the rate the stand-in encodes and decodes at (Hz). */
export const OPUS_RATE = 48_000;
/** Length of one Opus frame, ms. */
export const FRAME_MS = 20;
/** Samples in one frame at {@link OPUS_RATE} (960). */
export const FRAME_SAMPLES = (OPUS_RATE / 1000) * FRAME_MS;
/** Bit rate of the stand-in's speech, bit/s (what a voice call uses; speech from eSpeak NG stays clear). */
const BITRATE = 32_000;

// opusscript is CommonJS with `export =`: loaded with require so its WASM build is the one used.
const OpusScript = createRequire(import.meta.url)("opusscript") as typeof OpusScriptType;

/** Encodes 20 ms frames of 48 kHz mono PCM16 into Opus packets. */
export class OpusFrameEncoder {
  readonly #opus = new OpusScript(OPUS_RATE, 1, OpusScript.Application.VOIP);

  constructor() {
    this.#opus.setBitrate(BITRATE);
  }

  /** One Opus packet for `frame` ({@link FRAME_SAMPLES} samples). */
  encode(frame: Int16Array): Buffer {
    // opusscript reads its input as bytes of s16le: an Int16Array is read element by element and encodes noise.
    return this.#opus.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), FRAME_SAMPLES);
  }

  /** Frees the WASM encoder. */
  delete(): void {
    this.#opus.delete();
  }
}

/** Decodes Opus packets (mono or stereo) into 48 kHz mono PCM16. */
export class OpusFrameDecoder {
  readonly #opus = new OpusScript(OPUS_RATE, 1, OpusScript.Application.VOIP);

  /** The samples of one packet (usually {@link FRAME_SAMPLES}). */
  decode(packet: Buffer): Int16Array {
    const bytes = this.#opus.decode(packet);
    const samples = new Int16Array(bytes.byteLength >> 1);
    new Uint8Array(samples.buffer).set(bytes.subarray(0, samples.byteLength));
    return samples;
  }

  /** Frees the WASM decoder. */
  delete(): void {
    this.#opus.delete();
  }
}

/** A streaming PCM16 rate converter (the dsp package's band-limited resampler). */
export class PcmRateConverter {
  readonly #resampler: Resampler;

  constructor(inRate: number, outRate: number) {
    this.#resampler = new Resampler({ inRate, outRate });
  }

  /** Converts the next chunk of the stream. */
  process(pcm: Int16Array): Int16Array {
    const out = new Float32Array(this.#resampler.maxOutput(pcm.length));
    return float32ToInt16(out.subarray(0, this.#resampler.process(int16ToFloat32(pcm), out)));
  }

  /** The filter's tail, ending the stream. */
  flush(): Int16Array {
    const out = new Float32Array(this.#resampler.maxOutput(this.#resampler.latencyInput));
    return float32ToInt16(out.subarray(0, this.#resampler.flush(out)));
  }
}
