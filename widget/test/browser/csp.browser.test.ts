/**
 * The widget under a strict Content-Security-Policy (scripts only from 'self' plus 'wasm-unsafe-eval';
 * no blob:, no eval, no CDN): the element is defined, and the VAD (onnxruntime WASM, Silero model,
 * both worklets) runs from the page's own module script and finds the spoken turn.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "./chromium.ts";
import type { Harness } from "./harness.ts";
import { STRICT_CSP, startServer, type TestServer } from "./server.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav")) });

let server: TestServer;
test.beforeAll(async () => (server = await startServer()));
test.afterAll(async () => server.close());

test("loads the widget and runs the VAD under a strict CSP", async ({ page }) => {
  const response = await page.goto(`${server.url}/?csp=1&auto=1`);
  expect(response!.headers()["content-security-policy"]).toBe(STRICT_CSP);
  expect(await page.evaluate(() => customElements.get("voice-agent") !== undefined)).toBe(true);
  await page.waitForFunction(() => (globalThis as unknown as { harness: Harness }).harness.log.utterances.length > 0 || (globalThis as unknown as { harness: Harness }).harness.log.errors.length > 0, null, { timeout: 20_000 });
  const log = await page.evaluate(() => ({ ...(globalThis as unknown as { harness: Harness }).harness.log, audio: [] }));
  expect(log.errors).toEqual([]);
  expect(log.violations).toEqual([]);
  expect(Math.max(...log.probabilities)).toBeGreaterThan(0.9);
  expect(log.utterances).toHaveLength(1);
});

test("the same policy without 'wasm-unsafe-eval' blocks the VAD (the test can fail)", async ({ page }) => {
  await page.route(`${server.url}/?csp=2`, async (route) => {
    const response = await route.fetch({ url: `${server.url}/?auto=1` });
    await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": STRICT_CSP.replace(" 'wasm-unsafe-eval'", "") } });
  });
  await page.goto(`${server.url}/?csp=2`);
  await page.waitForFunction(() => (globalThis as unknown as { harness?: Harness }).harness?.log.errors.length, null, { timeout: 20_000 });
  const log = await page.evaluate(() => (globalThis as unknown as { harness: Harness }).harness.log);
  expect(log.errors.join(" ")).toMatch(/vad/);
});
