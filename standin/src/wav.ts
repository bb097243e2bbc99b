import { StandinError } from './standin-error.ts';

/** What a WAV header says about its audio. */
export interface WavInfo {
  /** Samples per second per channel (Hz). */
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 1 = integer PCM, 3 = IEEE float (after resolving WAVE_FORMAT_EXTENSIBLE). */
  format: 1 | 3;
  /** Byte offset of the sample data in the file. */
  dataOffset: number;
  /** Bytes of sample data actually present (clamped to the file). */
  dataBytes: number;
  /** Duration of the sample data in ms. */
  durationMs: number;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/**
 * Parses a RIFF/WAVE header: walks the chunks to `fmt ` and `data`, accepting integer PCM
 * (8/16/24/32-bit), 32-bit float and WAVE_FORMAT_EXTENSIBLE. A `data` size larger than the file
 * (as streaming writers leave it) is clamped to the bytes present.
 * @throws StandinError (400, `invalid_wav`) for anything else.
 */
export function parseWav(bytes: Uint8Array): WavInfo {
  const fail = (why: string): never => {
    throw new StandinError(400, 'invalid_wav', `The stand-in only understands WAV files: ${why}.`, { param: 'file' });
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') fail('no RIFF/WAVE header');

  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'durationMs'> | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) fail('truncated fmt chunk');
      let format = view.getUint16(body, true);
      if (format === EXTENSIBLE && size >= 26) format = view.getUint16(body + 24, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (format !== PCM && format !== FLOAT) fail(`unsupported sample format ${format}`);
      if (channels < 1 || sampleRate < 1 || bitsPerSample % 8 !== 0 || bitsPerSample === 0) fail('bad fmt chunk');
      fmt = { format: format === PCM ? 1 : 3, channels, sampleRate, bitsPerSample };
    } else if (id === 'data') {
      if (!fmt) return fail('data chunk before fmt chunk');
      const frameBytes = fmt.channels * (fmt.bitsPerSample / 8);
      const present = Math.min(size, bytes.length - body);
      const dataBytes = present - (present % frameBytes);
      const durationMs = (dataBytes / frameBytes / fmt.sampleRate) * 1000;
      return { ...fmt, dataOffset: body, dataBytes, durationMs };
    }
    at = body + size + (size % 2);
  }
  return fail('no data chunk');
}

/** Encodes mono 16-bit PCM samples as a WAV file (44-byte header + data). */
export function encodeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  out.set(wavHeader(samples.length * 2, sampleRate), 0);
  out.set(int16ToBytes(samples), 44);
  return out;
}

/** A 44-byte WAV header for `dataBytes` bytes of mono 16-bit PCM at `sampleRate` Hz. */
export function wavHeader(dataBytes: number, sampleRate: number): Uint8Array {
  const header = new Uint8Array(44);
  const view = new DataView(header.buffer);
  const put = (at: number, text: string) => header.set([...text].map((ch) => ch.charCodeAt(0)), at);
  put(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

/** Reads the 16-bit mono sample data of a WAV produced by {@link encodeWav} or eSpeak NG. */
export function readMono16(bytes: Uint8Array): { samples: Int16Array; sampleRate: number } {
  const info = parseWav(bytes);
  if (info.format !== 1 || info.bitsPerSample !== 16 || info.channels !== 1) {
    throw new StandinError(500, 'unexpected_wav', 'Expected 16-bit mono PCM from the synthesizer.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + info.dataOffset, info.dataBytes);
  const samples = new Int16Array(info.dataBytes / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true);
  return { samples, sampleRate: info.sampleRate };
}

/** Little-endian bytes of 16-bit samples (a copy; independent of host endianness). */
export function int16ToBytes(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i] ?? 0, true);
  return out;
}
