/**
 * A hold that is released in Chromium: with confirmation out of reach, the visitor's speech over a
 * reply (barge-in.wav: "Stop, please." at 5 s and again 2 s after it) only pauses the reply, which
 * resumes when the speech ends and still plays to its last sample.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "./chromium.ts";
import type { Harness } from "./harness.ts";
import { startServer, type TestServer } from "./server.ts";

test.use({ launchOptions: withFakeMic(fixture("barge-in.wav")) });

let server: TestServer;
test.beforeAll(async () => (server = await startServer()));
test.afterAll(async () => server.close());

for (const [path, mainThread] of [
  ["worker", false],
  ["main-thread", true],
] as const) {
  test(`a released hold resumes the reply where it paused, and the whole reply plays (${path})`, async ({ page }) => {
    await page.goto(server.url);
    await page.waitForFunction(() => "harness" in globalThis);
    const result = await page.evaluate(async (mainThread) => {
      const h = (globalThis as unknown as { harness: Harness }).harness;
      await h.start({
        worker: mainThread ? "main-thread" : "auto",
        bargeIn: { warmupMs: 0, confirmMs: 60_000, likelyConfirmMs: 60_000, warmupConfirmMs: 60_000 },
      });
      const report = await h.playReply(1, 10, 100, 1.5);
      return { report, log: { ...h.log, probabilities: [], audio: [], timings: [] }, active: h.engine!.player!.activeReply };
    }, mainThread);
    expect(result.log.errors).toEqual([]);
    expect(result.log.loopPath).toBe(path);
    expect(result.log.bargeIns).toEqual([]);
    const kinds = result.log.decisions.map((d) => d.kind).filter((k) => k === "hold" || k === "release");
    // Each burst holds the reply once and releases it once its speech has ended.
    expect(kinds.length).toBeGreaterThanOrEqual(2);
    expect(kinds).toEqual(kinds.map((_, i) => (i % 2 === 0 ? "hold" : "release")));
    expect(result.log.holds.length).toBeGreaterThanOrEqual(1);
    for (const hold of result.log.holds) {
      expect(hold.replyId).toBe(1);
      expect(hold.silencedAtFrame - hold.holdFrame).toBeLessThanOrEqual(2 * 128);
    }
    // Nothing skipped or dropped: every received frame was rendered, and the reply drained by itself.
    expect(result.report.replyId).toBe(1);
    expect(result.report.playedFrames).toBe(result.report.receivedFrames);
    expect(result.report.playedMs).toBeGreaterThan(9990);
    expect(result.report.playedMs).toBeLessThan(10_010);
    expect(result.active).toBeUndefined();
  });
}
