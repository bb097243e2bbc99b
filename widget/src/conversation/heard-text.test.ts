import { describe, expect, test } from "vitest";
import { heardText, pcmMs } from "./heard-text.ts";

const segments = [
  { text: "This is the offline demo.", audioMs: 1000 },
  { text: "You said: I spoke for 2.3 seconds.", audioMs: 2000 },
];

describe("heardText", () => {
  test.each([
    [0, ""],
    [500, "This is the"],
    [300, "This is"],
    [999, "This is the offline"],
    [1000, "This is the offline demo."],
    [1100, "This is the offline demo."],
    [2000, "This is the offline demo. You said: I spoke"],
    [3000, "This is the offline demo. You said: I spoke for 2.3 seconds."],
    [9000, "This is the offline demo. You said: I spoke for 2.3 seconds."],
  ])("after %i ms → %j", (playedMs, text) => {
    expect(heardText(segments, playedMs)).toBe(text);
  });

  test("no segments → nothing heard", () => {
    expect(heardText([], 5000)).toBe("");
  });

  test("a cut inside the first word keeps nothing of it", () => {
    expect(heardText([{ text: "Unbelievable news", audioMs: 1000 }], 300)).toBe("");
  });

  test("pcmMs: 48000 bytes of 24 kHz 16-bit mono is one second", () => {
    expect(pcmMs(48_000, 24_000)).toBe(1000);
  });
});
