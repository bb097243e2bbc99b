import { describe, expect, it } from "vitest";
import { decodeWav, encodeWav } from "./wav.ts";

describe("WAV", () => {
  it("round-trips 16-bit mono", () => {
    const samples = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 10) * 0.8);
    const decoded = decodeWav(encodeWav(samples, 16_000));
    expect(decoded.sampleRate).toBe(16_000);
    expect(decoded.channels).toBe(1);
    expect(decoded.samples.length).toBe(1000);
    for (let i = 0; i < 1000; i += 97) expect(decoded.samples[i]).toBeCloseTo(samples[i]!, 3);
  });

  it("mixes stereo down to mono", () => {
    const bytes = encodeWav(new Float32Array([0.5, -0.5, 0.25, 0.25]), 8000);
    const view = new DataView(bytes.buffer);
    view.setUint16(22, 2, true); // same data read as 2 channels
    const decoded = decodeWav(bytes);
    expect(decoded.channels).toBe(2);
    expect(Array.from(decoded.samples)).toEqual([expect.closeTo(0, 3), expect.closeTo(0.25, 3)]);
  });

  it("rejects what is not a WAV file", () => {
    expect(() => decodeWav(new TextEncoder().encode("<html>not found</html>"))).toThrow(/RIFF/);
  });
});
