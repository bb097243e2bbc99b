import { describe, expect, test } from "vitest";
import { heardBetween, playoutOf } from "./playout-stats.ts";

const inbound = (fields: Record<string, unknown>) => ({ type: "inbound-rtp", kind: "audio", id: "IT01A", playoutId: "AP", ...fields });
const playout = { type: "media-playout", id: "AP", totalPlayoutDelay: 14_400, totalSamplesCount: 480_000 }; // 30 ms average (seconds summed per sample)

describe("playoutOf", () => {
  test("the jitter buffer's emitted samples and the playout delay of the stream's media-playout entry", () => {
    const report = [{ type: "codec", id: "C" }, inbound({ jitterBufferEmittedCount: 96_000, totalSamplesReceived: 99_000 }), playout];
    expect(playoutOf(report)).toEqual({ playedSamples: 96_000, delayMs: 30 });
  });

  test("received less concealed samples where the emitted count is missing; no delay without media-playout", () => {
    expect(playoutOf([inbound({ totalSamplesReceived: 50_000, concealedSamples: 2000 })])).toEqual({ playedSamples: 48_000, delayMs: 0 });
  });

  test("nothing before the inbound audio stream exists (video streams are not it)", () => {
    expect(playoutOf([{ type: "inbound-rtp", kind: "video", jitterBufferEmittedCount: 5 }])).toBeUndefined();
  });
});

describe("heardBetween", () => {
  test("what was played out since the base, less the playout delay at the time", () => {
    expect(heardBetween({ playedSamples: 48_000, delayMs: 30 }, { playedSamples: 48_000 + 48 * 2500, delayMs: 30 })).toBe(2470);
  });

  test("0 when nothing was played since the base (the delay does not make it negative), or with no reading", () => {
    expect(heardBetween({ playedSamples: 1000, delayMs: 30 }, { playedSamples: 1000 + 48 * 10, delayMs: 30 })).toBe(0);
    expect(heardBetween({ playedSamples: 1000, delayMs: 30 }, undefined)).toBe(0);
  });

  test("a missing base counts from the track's start", () => {
    expect(heardBetween(undefined, { playedSamples: 48 * 1000, delayMs: 0 })).toBe(1000);
  });
});
