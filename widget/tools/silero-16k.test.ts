import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import * as ort from "onnxruntime-web/wasm";
import { describe, expect, it } from "vitest";
import { decodeWav, Resampler } from "@voice-agent/dsp";
import { loadSpeechModel, VAD_FRAME_SAMPLES, type SpeechModel } from "../src/audio/speech-model.ts";
import { lengthDelimited } from "./protobuf-wire.ts";
import { silero16k } from "./silero-16k.ts";
import { publishedVadModel, vadModel } from "./vad-model.ts";

const fixtures = new URL("../../e2e/fixtures/", import.meta.url);
const load = (bytes: Uint8Array) => loadSpeechModel(ort, bytes.slice().buffer);

/** Every fixture, resampled to 16 kHz like the capture path does. */
async function fixtureAudio(): Promise<{ name: string; audio: Float32Array }[]> {
  const names = (await readdir(fixtures)).filter((f) => f.endsWith(".wav")).sort();
  return Promise.all(
    names.map(async (name) => {
      const { sampleRate, samples } = decodeWav(await readFile(new URL(name, fixtures)));
      const resampler = new Resampler({ inRate: sampleRate, outRate: 16_000 });
      const audio = new Float32Array(resampler.maxOutput(samples.length + resampler.latencyInput));
      const length = resampler.process(samples, audio);
      return { name, audio: audio.subarray(0, length + resampler.flush(audio.subarray(length))) };
    }),
  );
}

/** The float32 bit patterns of the model's probabilities over `audio`, frame by frame from a fresh state. */
async function probabilityBits(model: SpeechModel, audio: Float32Array): Promise<number[]> {
  model.reset();
  const bits: number[] = [];
  const one = new Float32Array(1);
  for (let at = 0; at + VAD_FRAME_SAMPLES <= audio.length; at += VAD_FRAME_SAMPLES) {
    one[0] = await model.probability(audio.slice(at, at + VAD_FRAME_SAMPLES));
    bits.push(new Uint32Array(one.buffer)[0]!);
  }
  return bits;
}

describe("silero16k", { timeout: 60_000 }, () => {
  it("keeps the 16 kHz graph and drops the 8 kHz one (about 45% of the bytes)", () => {
    const published = publishedVadModel();
    const pruned = vadModel();
    expect(pruned.length).toBeLessThan(published.length * 0.6);
    expect(pruned.length).toBeGreaterThan(published.length * 0.5);
  });

  it("is reproducible: the same published model always gives the same bytes", () => {
    // vad-web is pinned; a new version that changes the model changes this hash on purpose.
    expect(createHash("sha256").update(vadModel()).digest("hex")).toBe("f9f30586eff219a030767d1eb0e33259d001435c9fd56cd40f4ceb7d79671120");
    expect(Buffer.from(silero16k(publishedVadModel())).equals(Buffer.from(vadModel()))).toBe(true);
  });

  it("gives bit-identical probabilities on every fixture, frame by frame", async () => {
    const [published, pruned] = await Promise.all([load(publishedVadModel()), load(vadModel())]);
    let frames = 0;
    for (const { name, audio } of await fixtureAudio()) {
      const expected = await probabilityBits(published, audio);
      expect(await probabilityBits(pruned, audio), name).toEqual(expected);
      frames += expected.length;
    }
    await Promise.all([published.release(), pruned.release()]);
    expect(frames).toBeGreaterThan(2000);
  });

  it("refuses a model that is not Silero v5's two-rate graph", () => {
    expect(() => silero16k(vadModel())).toThrow(/expected one Constant node/);
    expect(() => silero16k(lengthDelimited(7, new Uint8Array([0x0a, 0x05])))).toThrow(/runs past the end/);
  });
});
