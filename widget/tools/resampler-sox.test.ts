/**
 * The resampler against sox's very-high-quality resampler on the same input (fixtures made by
 * e2e/fixtures/make-fixtures.sh: `sox -n -r 48000 -b 32 -e float chirp48k.wav synth 0.5 sine 50-7000
 * vol 0.5` and `sox chirp48k.wav -r 16000 -b 32 -e float chirp48k-sox16k.wav rate -v`).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resampleWhole, snrDb } from "./resampler-quality.ts";
import { decodeWav } from "@voice-agent/dsp";

const fixture = (name: string) => decodeWav(readFileSync(new URL(`../../e2e/fixtures/${name}`, import.meta.url)));

describe("Resampler vs sox -v", () => {
  it("matches sox's 48 → 16 kHz output on a 50 Hz–7 kHz sweep with SNR ≥ 60 dB", () => {
    const input = fixture("chirp48k.wav");
    const sox = fixture("chirp48k-sox16k.wav");
    expect(input.sampleRate).toBe(48_000);
    expect(sox.sampleRate).toBe(16_000);
    const ours = resampleWhole(input.samples, 48_000, 16_000);
    expect(Math.abs(ours.length - sox.samples.length)).toBeLessThanOrEqual(2);
    const snr = snrDb(ours, sox.samples, 400);
    expect(snr).toBeGreaterThanOrEqual(60);
  });
});
