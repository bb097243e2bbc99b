/**
 * Capture at 48 kHz and at 44.1 kHz in Chromium (fake mic fed from one-turn.wav): the streaming path
 * (capture worklet → Silero → end of turn) finds the same utterance as the offline analysis of the
 * audio it captured, within one VAD frame, and the fixture's utterance within two once Chromium's
 * fake-device offset is taken out: the device converts the file to 44.1 kHz stereo and starts it when
 * capture opens, some ms (on a loaded machine up to a second) before or after the first captured
 * sample; the offset is measured per run by cross-correlating the capture with the fixture.
 */
import { expect, test, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { encodeWav } from "@voice-agent/dsp";
import { decodeWav } from "@voice-agent/dsp";
import { analyzeWav } from "../../tools/analyze-wav.ts";
import { findLag } from "../../tools/latency-timeline.ts";
import { resampleWhole } from "../../tools/resampler-quality.ts";
import { fixture, withFakeMic } from "./chromium.ts";
import type { Harness, HarnessLog } from "./harness.ts";
import { startServer, type TestServer } from "./server.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav")) });

let server: TestServer;
test.beforeAll(async () => (server = await startServer()));
test.afterAll(async () => server.close());

const FRAME_MS = 32;

async function captureOneTurn(page: Page, sampleRate: number): Promise<HarnessLog> {
  await page.goto(server.url);
  await page.waitForFunction(() => "harness" in globalThis);
  await page.evaluate(async (sampleRate) => {
    const h = (globalThis as unknown as { harness: Harness }).harness;
    // Raw capture: the comparison with the offline analysis is about our stages, not the browser's.
    await h.start({
      sampleRate,
      keepAudio: true,
      microphone: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
  }, sampleRate);
  await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.log.utterances.length > 0, null, {
    timeout: 20_000,
  });
  return page.evaluate(() => {
    const { log } = (globalThis as unknown as { harness: Harness }).harness;
    return { ...log, probabilities: [] };
  });
}

for (const rate of [48_000, 44_100]) {
  test(`captures at ${rate / 1000} kHz and agrees with the offline analysis within one frame`, async ({ page }) => {
    const offline = await analyzeWav(await readFile(fixture("one-turn.wav")));
    const log = await captureOneTurn(page, rate);
    expect(log.errors).toEqual([]);
    expect(log.sampleRate).toBe(rate);
    expect(log.utterances).toHaveLength(1);
    const live = log.utterances[0]!;
    const captured = await analyzeWav(encodeWav(Float32Array.from(log.audio), 16_000));
    expect(captured).toHaveLength(1);
    expect(Math.abs(live.startMs - captured[0]!.startMs)).toBeLessThanOrEqual(FRAME_MS);
    expect(Math.abs(live.endMs - captured[0]!.endMs)).toBeLessThanOrEqual(FRAME_MS);
    // Fake-device offset: where 0.5 s of the fixture's speech sits in the capture (±1.5 s searched).
    const known = JSON.parse(await readFile(fixture("one-turn.json"), "utf8")) as { speechSamples: [number, number]; sampleRate: number };
    const source = resampleWhole(decodeWav(await readFile(fixture("one-turn.wav"))).samples, known.sampleRate, 16_000);
    const from = Math.round((known.speechSamples[0] / known.sampleRate) * 16_000);
    const { lag, score } = findLag(source, log.audio, from, from + 8000, -24_000, 24_000);
    expect(score).toBeGreaterThan(0.5);
    const offsetMs = lag / 16;
    expect(Math.abs(live.startMs - offsetMs - offline[0]!.startMs)).toBeLessThanOrEqual(2 * FRAME_MS);
    expect(Math.abs(live.endMs - offsetMs - offline[0]!.endMs)).toBeLessThanOrEqual(2 * FRAME_MS);
    expect(live.samples / 16).toBeGreaterThan(live.endMs - live.startMs);
    // The level the launcher shows: a reading per frame, well above the quiet before the speech during it.
    expect(log.levels.length).toBeGreaterThanOrEqual(log.frames - 2);
    const frameAt = (ms: number) => Math.floor(ms / FRAME_MS);
    const before = Math.max(...log.levels.slice(0, frameAt(live.startMs) - 4));
    expect(Math.max(...log.levels.slice(frameAt(live.startMs), frameAt(live.endMs)))).toBeGreaterThan(before + 15);
  });
}
