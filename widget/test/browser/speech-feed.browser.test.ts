/**
 * The speech feed in Chromium, on both paths of the audio loop (its Worker and the main-thread
 * fallback): a reply's speech is fetched by the loop from the test server's tone stream and played out
 * in full; a refused request fails as the relay client would fail it; an expired token is renewed once;
 * an abort reaches the server. The fake mic plays silence, so nothing barges in.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "./chromium.ts";
import type { Harness } from "./harness.ts";
import { startServer, type TestServer } from "./server.ts";

test.use({ launchOptions: withFakeMic(fixture("silence.wav")) });

let server: TestServer;
test.beforeAll(async () => (server = await startServer()));
test.afterAll(async () => server.close());

for (const [path, mainThread] of [
  ["worker", false],
  ["main-thread", true],
] as const) {
  test(`the loop fetches a reply's speech and plays all of it; errors, renewal and abort (${path})`, async ({ page }) => {
    server.tones.length = 0;
    await page.goto(server.url);
    await page.waitForFunction(() => "harness" in globalThis);
    const played = await page.evaluate(async (mainThread) => {
      const h = (globalThis as unknown as { harness: Harness }).harness;
      await h.start({ worker: mainThread ? "main-thread" : "auto" });
      return { ...(await h.playFedReply(1, "seconds=1&speed=4")), loopPath: h.log.loopPath };
    }, mainThread);
    expect(played.loopPath).toBe(path);
    expect(played.error).toBeUndefined();
    // 1 s of 24 kHz audio in 20 ms network pieces, all reported and all rendered at the context rate.
    expect(played.audioMs).toBeCloseTo(1000, 6);
    expect(played.report.replyId).toBe(1);
    expect(played.report.receivedFrames).toBe(played.report.playedFrames);
    expect(played.report.playedMs).toBeGreaterThan(990);
    expect(played.report.playedMs).toBeLessThan(1010);
    expect(played.report.peak).toBeGreaterThan(0.2);

    const refused = await page.evaluate(() =>
      (globalThis as unknown as { harness: Harness }).harness.playFedReply(2, "status=429&code=rate_limited"),
    );
    expect(refused.error).toEqual({
      code: "rate-limited",
      message: "tone 429 rate_limited",
      retryAfterMs: 3000,
      relayCode: "rate_limited",
    });
    expect(refused.audioMs).toBe(0);
    expect(refused.report.playedFrames).toBe(0);

    const renewed = await page.evaluate(() =>
      (globalThis as unknown as { harness: Harness }).harness.playFedReply(3, "status=401&code=token_expired", {
        renewQuery: "seconds=0.5&speed=4&renewed=1",
      }),
    );
    expect(renewed.error).toBeUndefined();
    expect(renewed.audioMs).toBeCloseTo(500, 6);
    expect(server.tones.at(-1)).toEqual({ query: "?seconds=0.5&speed=4&renewed=1", aborted: false });
    // Renewed once only: a second expired answer is the error.
    const twice = await page.evaluate(() =>
      (globalThis as unknown as { harness: Harness }).harness.playFedReply(4, "status=401&code=token_expired", {
        renewQuery: "status=401&code=token_expired",
      }),
    );
    expect(twice.error).toMatchObject({ code: "unauthorized", relayCode: "token_expired" });

    const aborted = await page.evaluate(() =>
      (globalThis as unknown as { harness: Harness }).harness.playFedReply(5, "seconds=3&aborted=1", { abortAfterMs: 600 }),
    );
    expect(aborted.error?.code).toBe("AbortError");
    expect(aborted.report.replyId).toBe(5);
    expect(aborted.report.playedMs).toBeLessThan(1500);
    await expect.poll(() => server.tones.find((t) => t.query.includes("aborted=1"))?.aborted).toBe(true);
    const errors = await page.evaluate(() => (globalThis as unknown as { harness: Harness }).harness.log.errors);
    expect(errors).toEqual([]);
  });
}
