import { describe, expect, it } from 'vitest';
import { StandinError } from './standin-error.ts';
import { encodeWav, parseWav, readMono16, wavHeader } from './wav.ts';

describe('parseWav', () => {
  it('reads the header of an encoded WAV', () => {
    const wav = encodeWav(new Int16Array(16_000 * 1.5), 16_000);
    expect(parseWav(wav)).toEqual({
      format: 1,
      sampleRate: 16_000,
      channels: 1,
      bitsPerSample: 16,
      dataOffset: 44,
      dataBytes: 48_000,
      durationMs: 1500,
    });
  });

  it('skips unknown chunks and resolves WAVE_FORMAT_EXTENSIBLE stereo float', () => {
    const list = [...'LIST'].map((ch) => ch.charCodeAt(0)).concat([3, 0, 0, 0, 1, 2, 3, 0]);
    const fmt = new Uint8Array(8 + 40);
    const view = new DataView(fmt.buffer);
    fmt.set([...'fmt '].map((ch) => ch.charCodeAt(0)));
    view.setUint32(4, 40, true);
    view.setUint16(8, 0xfffe, true);
    view.setUint16(10, 2, true);
    view.setUint32(12, 48_000, true);
    view.setUint16(22, 32, true);
    view.setUint16(32, 3, true);
    const data = new Uint8Array(8 + 48_000 * 8);
    data.set([...'data'].map((ch) => ch.charCodeAt(0)));
    new DataView(data.buffer).setUint32(4, 48_000 * 8, true);
    const riff = new Uint8Array([...'RIFF\0\0\0\0WAVE'].map((ch) => ch.charCodeAt(0)));
    const bytes = new Uint8Array([...riff, ...list, ...fmt, ...data]);
    expect(parseWav(bytes)).toMatchObject({ format: 3, channels: 2, sampleRate: 48_000, bitsPerSample: 32, durationMs: 1000 });
  });

  it('clamps a streaming writer’s oversized data length to the bytes present', () => {
    const wav = new Uint8Array([...wavHeader(0xffff_fff0, 8000), ...new Uint8Array(1601)]);
    expect(parseWav(wav)).toMatchObject({ dataBytes: 1600, durationMs: 100 });
  });

  it.each([
    ['not a WAV', new TextEncoder().encode('hello, this is not audio at all')],
    ['empty', new Uint8Array()],
    ['header without data chunk', wavHeader(10, 8000).subarray(0, 36)],
  ])('refuses %s with a 400', (_name, bytes) => {
    expect(() => parseWav(bytes)).toThrow(StandinError);
    try {
      parseWav(bytes);
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'invalid_wav' });
    }
  });
});

describe('readMono16', () => {
  it('round-trips samples through encodeWav', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234]);
    expect(readMono16(encodeWav(samples, 24_000))).toEqual({ samples, sampleRate: 24_000 });
  });
});
