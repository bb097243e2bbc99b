/** Audio of the realtime protocol: 24 kHz mono PCM16, base64 in its events. */
import { float32ToInt16, Resampler } from "@voice-agent/dsp";

/** The protocol's audio rate, Hz. */
export const REALTIME_RATE = 24_000;

/** Most audio per `input_audio_buffer.append`, samples (0.5 s: well under the relay's frame limit). */
const APPEND_SAMPLES = REALTIME_RATE / 2;

/** An utterance of 16 kHz float samples as the base64 PCM16 chunks of its `input_audio_buffer.append` events. */
export function appendChunks(audio16k: Float32Array): string[] {
  const resampler = new Resampler({ inRate: 16_000, outRate: REALTIME_RATE });
  const out = new Float32Array(resampler.maxOutput(audio16k.length + resampler.latencyInput));
  const n = resampler.process(audio16k, out);
  const pcm = float32ToInt16(out.subarray(0, n + resampler.flush(out.subarray(n))));
  const chunks: string[] = [];
  for (let at = 0; at < pcm.length; at += APPEND_SAMPLES) chunks.push(toBase64(pcm.subarray(at, at + APPEND_SAMPLES)));
  return chunks;
}

/**
 * The microphone's 16 kHz audio as it is captured, chunk by chunk, as the base64 PCM16 of
 * `input_audio_buffer.append` events (one resampler across chunks: no seams).
 */
export class AudioUplink {
  readonly #resampler = new Resampler({ inRate: 16_000, outRate: REALTIME_RATE });

  encode(audio16k: Float32Array): string {
    const out = new Float32Array(this.#resampler.maxOutput(audio16k.length));
    return toBase64(float32ToInt16(out.subarray(0, this.#resampler.process(audio16k, out))));
  }
}

/** The PCM16 samples of a base64 audio delta. */
export function fromBase64(delta: string): Int16Array {
  const binary = atob(delta);
  const bytes = new Uint8Array(binary.length & ~1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Int16Array(bytes.buffer);
}

function toBase64(pcm: Int16Array): string {
  const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
