/**
 * The widget under a strict Content-Security-Policy (scripts only from 'self' plus 'wasm-unsafe-eval';
 * no blob:, no eval, no CDN): the element is defined, and the VAD (onnxruntime WASM, Silero model,
 * both worklets) finds the spoken turn, in the audio loop's Worker (same origin: `script-src 'self'`
 * allows it) and on the main thread. A Worker started from a URL runs under the policy its own script
 * is served with, not the page's: this server sends none, so the page's WASM rule binds the main thread only.
 */
import { expect, test, type Page } from "@playwright/test";
import { fixture, withFakeMic } from "./chromium.ts";
import type { Harness, HarnessLog } from "./harness.ts";
import { STRICT_CSP, startServer, type TestServer } from "./server.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav")) });

let server: TestServer;
test.beforeAll(async () => (server = await startServer()));
test.afterAll(async () => server.close());

/** Waits for the autostarted harness's first utterance or error; its log without audio. */
async function firstTurn(page: Page): Promise<HarnessLog> {
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { harness?: Harness }).harness &&
      ((globalThis as unknown as { harness: Harness }).harness.log.utterances.length > 0 ||
        (globalThis as unknown as { harness: Harness }).harness.log.errors.length > 0),
    null,
    { timeout: 20_000 },
  );
  return page.evaluate(() => ({ ...(globalThis as unknown as { harness: Harness }).harness.log, audio: [] }));
}

for (const [auto, path] of [
  ["1", "worker"],
  ["main-thread", "main-thread"],
] as const) {
  test(`loads the widget and runs the VAD under a strict CSP (${path})`, async ({ page }) => {
    const response = await page.goto(`${server.url}/?csp=1&auto=${auto}`);
    expect(response!.headers()["content-security-policy"]).toBe(STRICT_CSP);
    expect(await page.evaluate(() => customElements.get("voice-agent") !== undefined)).toBe(true);
    const log = await firstTurn(page);
    expect(log.errors).toEqual([]);
    expect(log.violations).toEqual([]);
    expect(log.loopPath).toBe(path);
    expect(Math.max(...log.probabilities)).toBeGreaterThan(0.9);
    expect(log.utterances).toHaveLength(1);
  });
}

test("the same policy without 'wasm-unsafe-eval' blocks the VAD on the main thread (the test can fail)", async ({ page }) => {
  await page.route(`${server.url}/?csp=2`, async (route) => {
    const response = await route.fetch({ url: `${server.url}/?auto=main-thread` });
    await route.fulfill({
      response,
      headers: { ...response.headers(), "content-security-policy": STRICT_CSP.replace(" 'wasm-unsafe-eval'", "") },
    });
  });
  await page.goto(`${server.url}/?csp=2`);
  const log = await firstTurn(page);
  expect(log.errors.join(" ")).toMatch(/vad/);
});
