import { describe, expect, it } from "vitest";
import { mp3InWav, toneWav, twoFmtWav } from "../test/servers.ts";
import { wavDurationSeconds } from "./wav-duration.ts";

/** `toneWav(seconds)` (16 kHz 16-bit mono PCM) with its `fmt ` chunk rewritten by `edit` (offsets from the file start). */
function withFmt(seconds: number, edit: (view: DataView) => void): Uint8Array {
  const bytes = toneWav(seconds);
  edit(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return bytes;
}

/** `toneWav(seconds)` with a 40-byte WAVE_FORMAT_EXTENSIBLE `fmt ` chunk whose sub-format is `subFormat`. */
function extensible(seconds: number, subFormat: number, bits = 16): Uint8Array {
  const plain = toneWav(seconds);
  const out = new Uint8Array(plain.length + 24);
  out.set(plain.subarray(0, 36));
  out.set(plain.subarray(36), 60);
  const view = new DataView(out.buffer);
  view.setUint32(16, 40, true);
  view.setUint16(20, 0xfffe, true);
  view.setUint16(34, bits, true);
  view.setUint16(36, 22, true);
  view.setUint16(44, subFormat, true);
  return out;
}

describe("wavDurationSeconds", () => {
  it("reads PCM, float and extensible PCM from the samples present", () => {
    expect(wavDurationSeconds(toneWav(1.5))).toBeCloseTo(1.5, 3);
    // The same bytes read as 32-bit float: half as many samples.
    expect(wavDurationSeconds(withFmt(1, (v) => (v.setUint16(20, 3, true), v.setUint16(34, 32, true))))).toBeCloseTo(0.5, 3);
    expect(wavDurationSeconds(extensible(2, 1))).toBeCloseTo(2, 3);
  });

  it("refuses compressed formats, however plausible their header", () => {
    expect(wavDurationSeconds(mp3InWav(1))).toBeUndefined();
    expect(wavDurationSeconds(withFmt(1, (v) => v.setUint16(20, 0x11, true)))).toBeUndefined();
    expect(wavDurationSeconds(extensible(1, 0x55))).toBeUndefined();
    expect(wavDurationSeconds(withFmt(1, (v) => v.setUint16(34, 64, true)))).toBeUndefined();
  });

  it("refuses a second fmt chunk and a data chunk before any fmt", () => {
    const plain = toneWav(1);
    expect(wavDurationSeconds(twoFmtWav(1))).toBeUndefined();
    const dataFirst = new Uint8Array(plain.length);
    dataFirst.set(plain.subarray(0, 12));
    dataFirst.set(plain.subarray(36), 12);
    dataFirst.set(plain.subarray(12, 36), plain.length - 24);
    expect(wavDurationSeconds(dataFirst)).toBeUndefined();
  });
});
