import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { analyzeWav } from "./analyze-wav.ts";

const fixtures = new URL("../../../e2e/fixtures/", import.meta.url);

describe("analyzeWav (resampler → Silero v5 → end of turn)", () => {
  it("finds the one utterance of one-turn.wav within ±100 ms of the spoken region", async () => {
    const known = JSON.parse(await readFile(new URL("one-turn.json", fixtures), "utf8")) as { speechStartMs: number; speechEndMs: number };
    const found = await analyzeWav(await readFile(new URL("one-turn.wav", fixtures)));
    expect(found).toHaveLength(1);
    expect(Math.abs(found[0]!.startMs - known.speechStartMs)).toBeLessThanOrEqual(100);
    expect(Math.abs(found[0]!.endMs - known.speechEndMs)).toBeLessThanOrEqual(100);
  });

  it("finds nothing in silence", async () => {
    const { encodeWav } = await import("../dsp/wav.ts");
    expect(await analyzeWav(encodeWav(new Float32Array(48_000 * 2), 48_000))).toEqual([]);
  });
});
