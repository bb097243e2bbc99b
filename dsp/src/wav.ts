/** WAV (RIFF, PCM) encoding and decoding of mono or multi-channel 16-bit / float audio. */
import { float32ToInt16 } from "./pcm.ts";

/** Decoded WAV audio: channels mixed down to mono, samples in −1…1. */
export interface DecodedWav {
  sampleRate: number;
  channels: number;
  /** Bits per sample of the file's encoding. */
  bitsPerSample: number;
  /** Mono mixdown, −1…1. */
  samples: Float32Array;
}

/** Encodes mono float samples (−1…1) as a 16-bit PCM WAV file. */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, samples.length * 2, true);
  const pcm = float32ToInt16(samples);
  for (let i = 0; i < pcm.length; i++) view.setInt16(44 + i * 2, pcm[i]!, true);
  return bytes;
}

/** Decodes a PCM (8/16/24/32-bit integer) or IEEE float WAV file; throws on anything else. */
export function decodeWav(file: Uint8Array): DecodedWav {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const tag = (at: number) => String.fromCharCode(...file.subarray(at, at + 4));
  if (file.byteLength < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("not a RIFF/WAVE file");
  let at = 12;
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  while (at + 8 <= file.byteLength) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === 0xfffe) format = view.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE sub-format
    } else if (id === "data") {
      if (!channels) throw new Error("WAV data chunk before fmt chunk");
      const end = Math.min(file.byteLength, body + size);
      return { sampleRate, channels, bitsPerSample: bits, samples: readSamples(view, body, end, format, bits, channels) };
    }
    at = body + size + (size % 2);
  }
  throw new Error("WAV file has no data chunk");
}

function readSamples(view: DataView, start: number, end: number, format: number, bits: number, channels: number): Float32Array {
  const width = bits / 8;
  const frames = Math.floor((end - start) / (width * channels));
  const out = new Float32Array(frames);
  const read = sampleReader(view, format, bits);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(start + (f * channels + c) * width);
    out[f] = sum / channels;
  }
  return out;
}

function sampleReader(view: DataView, format: number, bits: number): (at: number) => number {
  if (format === 3 && bits === 32) return (at) => view.getFloat32(at, true);
  if (format === 3 && bits === 64) return (at) => view.getFloat64(at, true);
  if (format !== 1) throw new Error(`unsupported WAV format ${format}`);
  if (bits === 8) return (at) => (view.getUint8(at) - 128) / 128;
  if (bits === 16) return (at) => view.getInt16(at, true) / 32768;
  if (bits === 24) return (at) => ((view.getUint8(at + 2) << 24) | (view.getUint8(at + 1) << 16) | (view.getUint8(at) << 8)) / 2147483648;
  if (bits === 32) return (at) => view.getInt32(at, true) / 2147483648;
  throw new Error(`unsupported WAV bit depth ${bits}`);
}
