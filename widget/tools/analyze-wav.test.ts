import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Resampler } from "@voice-agent/dsp";
import { decodeWav, encodeWav } from "@voice-agent/dsp";
import { analyzeWav, type DetectedUtterance } from "./analyze-wav.ts";

const fixtures = new URL("../../e2e/fixtures/", import.meta.url);
const fixture = (name: string) => readFile(new URL(name, fixtures));
const TOLERANCE_MS = 100;

function expectRegions(found: DetectedUtterance[], known: [number, number][]): void {
  expect(found.map((u) => [u.startMs, u.endMs])).toHaveLength(known.length);
  known.forEach(([start, end], i) => {
    expect(Math.abs(found[i]!.startMs - start), `utterance ${i} start ${found[i]!.startMs} vs ${start}`).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(Math.abs(found[i]!.endMs - end), `utterance ${i} end ${found[i]!.endMs} vs ${end}`).toBeLessThanOrEqual(TOLERANCE_MS);
  });
}

/** Interleaved 16-bit WAV with `channels` copies of `mono` (the fixtures are mono). */
function multichannelWav(mono: Float32Array, sampleRate: number, channels: number): Uint8Array {
  const bytes = new Uint8Array(44 + mono.length * channels * 2);
  const v = new DataView(bytes.buffer);
  const ascii = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  v.setUint32(4, bytes.length - 8, true);
  ascii(8, "WAVEfmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * channels * 2, true);
  v.setUint16(32, channels * 2, true);
  v.setUint16(34, 16, true);
  ascii(36, "data");
  v.setUint32(40, mono.length * channels * 2, true);
  for (let i = 0; i < mono.length; i++) {
    for (let c = 0; c < channels; c++)
      v.setInt16(44 + (i * channels + c) * 2, Math.round(Math.max(-1, Math.min(1, mono[i]!)) * 32767), true);
  }
  return bytes;
}

// Whole files through the real model: seconds of work, more on a loaded machine (a limit, not a target).
describe("analyzeWav (resampler → Silero v5 → end of turn)", { timeout: 30_000 }, () => {
  it("finds the one utterance of one-turn.wav (48 kHz) within ±100 ms of the spoken region", async () => {
    const known = JSON.parse(await readFile(new URL("one-turn.json", fixtures), "utf8")) as { speechStartMs: number; speechEndMs: number };
    expectRegions(await analyzeWav(await fixture("one-turn.wav")), [[known.speechStartMs, known.speechEndMs]]);
  });

  const turns = async () => (JSON.parse(await readFile(new URL("turns.json", fixtures), "utf8")) as { speech: [number, number][] }).speech;

  it("finds the three utterances of turns.wav (16 kHz) within ±100 ms", async () => {
    expectRegions(await analyzeWav(await fixture("turns.wav")), await turns());
  });

  it("finds them within ±100 ms with pink noise at 10 dB SNR", async () => {
    expectRegions(await analyzeWav(await fixture("turns-noise10.wav")), await turns());
  });

  it("accepts any rate and channel count (turns.wav as 44.1 kHz stereo)", async () => {
    const { samples } = decodeWav(await fixture("turns.wav"));
    const r = new Resampler({ inRate: 16_000, outRate: 44_100 });
    const up = new Float32Array(r.maxOutput(samples.length));
    const n = r.process(samples, up);
    expectRegions(await analyzeWav(multichannelWav(up.subarray(0, n), 44_100, 2)), await turns());
  });

  it("finds nothing in silence", async () => {
    expect(await analyzeWav(encodeWav(new Float32Array(48_000 * 2), 48_000))).toEqual([]);
  });
});
