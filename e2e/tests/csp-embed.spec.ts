/**
 * Journey 7: the one-tag embed on a customer's site (its panel in the page: `layout="inline"`), served from another origin (another host name
 * and port) than the relay, under a strict Content-Security-Policy (`script-src 'self'
 * 'wasm-unsafe-eval' <relay>; connect-src <relay>; default-src 'none'`). The widget, its worklets, the
 * VAD's WASM and model all load from the relay, and a spoken turn runs end to end. With `worker-src
 * blob: <relay>` the audio loop runs in its Worker (through a `blob:` bootstrap) and the page records no CSP
 * violation; without it the widget's one attempt is refused (one `worker-src` report) and the loop
 * runs on the main thread.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { strictCsp } from "../host-server.ts";
import { E2E } from "../stack-ports.ts";
import { recordWidgetEvents, vaLog, waitForStates } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav")) });

for (const { workers, loopPath, violations } of [
  { workers: "blob", loopPath: "worker-bootstrap", violations: [] },
  { workers: "none", loopPath: "main-thread", violations: [{ directive: "worker-src", blocked: "blob" }] },
]) {
  test(`script-tag embed on another origin under a strict CSP runs a spoken turn (worker-src ${workers}: ${loopPath})`, async ({
    page,
  }) => {
    await recordWidgetEvents(page);
    const fromRelay: string[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(E2E.relayUrl)) fromRelay.push(new URL(request.url()).pathname);
    });
    const response = await page.goto(`${E2E.embedUrl}/embed.html?workers=${workers}`);
    expect(response!.headers()["content-security-policy"]).toBe(strictCsp(E2E.relayUrl, workers === "blob"));
    expect(new URL(page.url()).origin).not.toBe(new URL(E2E.relayUrl).origin);

    const widget = page.locator("voice-agent");
    await expect(widget.locator("[part=launcher]")).toHaveCount(0);
    await widget.getByRole("button", { name: "Start" }).click();
    // The fixture speaks at once, over the greeting: a greeting cut before a word was heard is not shown.
    const reply = widget.locator('li[data-role="assistant"]', { hasText: "You said:" });
    await expect(reply).toContainText("You said: I spoke for", { timeout: 30_000 });
    await waitForStates(page, ["thinking", "responding", "listening"]);

    const log = await vaLog(page);
    expect(log.csp).toEqual(violations);
    expect(log.errors).toEqual([]);
    await expect.poll(async () => (await vaLog(page)).metrics.map((m) => m.audioLoop)).toContain(loopPath);
    expect(log.playback.at(-1)!.peak).toBeGreaterThan(0.05);
    // Everything came from the relay: the loader, lazy chunks, the WASM and the model (worklet module
    // fetches are not surfaced to Playwright; that they ran shows in the utterance and the playback).
    for (const path of ["/voice-agent.js", "/v1/sessions", "/v1/audio/transcriptions", "/v1/chat/completions", "/v1/audio/speech"]) {
      expect(fromRelay).toContain(path);
    }
    // The VAD's files have content-hashed names (widget/scripts/vad-assets.ts).
    for (const file of [
      /^\/ort-wasm-simd-threaded\.[0-9a-f]{16}\.mjs$/,
      /^\/ort-wasm-simd-threaded\.[0-9a-f]{16}\.wasm$/,
      /^\/silero-vad-v5-16k\.[0-9a-f]{16}\.onnx$/,
    ]) {
      expect(
        fromRelay.some((p) => file.test(p)),
        String(file),
      ).toBe(true);
    }

    // The policy is enforced and the recorder sees violations: a connection elsewhere is refused.
    await page.evaluate((url) => fetch(url).catch(() => {}), E2E.demoUrl);
    await expect
      .poll(async () => (await vaLog(page)).csp.map((v) => v.directive))
      .toEqual([...violations.map((v) => v.directive), "connect-src"]);
  });
}
