/**
 * Capture at 48 kHz and at 44.1 kHz in Chromium (fake mic fed from one-turn.wav): the streaming path
 * (capture worklet → Silero → end of turn) finds the same utterance as the offline analysis of the
 * audio it captured, within one VAD frame, and the fixture's utterance within ±100 ms: Chromium's fake
 * device converts the file to 44.1 kHz stereo and starts it a few ms before or after the first
 * captured sample (measured: 0–64 ms of jitter between runs, 96 ms once under load), which is not our path.
 */
import { expect, test, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { encodeWav } from "../../src/dsp/wav.ts";
import { analyzeWav } from "../../src/node/analyze-wav.ts";
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
    await h.start({ sampleRate, keepAudio: true, microphone: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  }, sampleRate);
  await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.log.utterances.length > 0, null, { timeout: 20_000 });
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
    // Against the file itself: the issue's ±100 ms boundary tolerance (the fake device's start jitter,
    // 0–64 ms idle and up to ~100 ms on a loaded machine, is not our path).
    expect(Math.abs(live.startMs - offline[0]!.startMs)).toBeLessThanOrEqual(100);
    expect(Math.abs(live.endMs - offline[0]!.endMs)).toBeLessThanOrEqual(100);
    expect(live.samples / 16).toBeGreaterThan(live.endMs - live.startMs);
  });
}
