/**
 * Journey 7, in every engine: the one-tag embed on a customer's site (its panel in the page:
 * `layout="inline"`), served from another origin (another host name and port) than the relay, under a
 * strict Content-Security-Policy (`script-src 'self' 'wasm-unsafe-eval' <relay>; connect-src <relay>;
 * default-src 'none'`). The widget, its worklets, the VAD's WASM and model all load from the relay, and a
 * spoken turn runs end to end. With `worker-src blob: <relay>` the audio loop runs in its Worker (through a
 * `blob:` bootstrap) and the page records no CSP violation; without it the widget's one attempt is refused
 * (one `worker-src` report) and the loop runs on the main thread.
 */
import { fixture } from "../../chromium.ts";
import { strictCsp } from "../../host-server.ts";
import { E2E } from "../../stack-ports.ts";
import { expect, test } from "../../journeys/journey-test.ts";
import { clickPart, lines, vaLog, waitForStates } from "../../journeys/widget-driver.ts";
import type { BrowserDriver } from "../../engines/browser-driver.ts";

test.use({ mic: { wav: fixture("one-turn.wav") } });

/** The violations the host page's own script (pages/host.js) kept from its start. */
const violations = (driver: BrowserDriver) =>
  driver.evaluate(
    () =>
      (globalThis as unknown as { cspViolations: { directive: string; blocked: string }[] }).cspViolations.map(
        ({ directive, blocked }) => ({ directive, blocked }),
      ),
    undefined,
  );

for (const { workers, loopPath, refused } of [
  { workers: "blob", loopPath: "worker-bootstrap", refused: [] },
  { workers: "none", loopPath: "main-thread", refused: [{ directive: "worker-src", blocked: "blob" }] },
]) {
  test(`script-tag embed on another origin under a strict CSP runs a spoken turn (worker-src ${workers}: ${loopPath})`, async ({
    driver,
  }) => {
    const url = `${E2E.embedUrl}/embed.html?workers=${workers}`;
    expect((await fetch(url)).headers.get("content-security-policy")).toBe(strictCsp(E2E.relayUrl, workers === "blob"));
    expect(new URL(url).origin).not.toBe(new URL(E2E.relayUrl).origin);
    await driver.goto(url);

    const launcher = await driver.evaluate(async () => {
      await customElements.whenDefined("voice-agent");
      return document.querySelector("voice-agent")!.shadowRoot!.querySelectorAll("[part~=launcher]").length;
    }, undefined);
    expect(launcher).toBe(0);
    await clickPart(driver, "start");
    // The fixture speaks at once, over the greeting: a greeting cut before a word was heard is not shown.
    const reply = async () => (await lines(driver)).find((l) => l.role === "assistant" && l.text.includes("You said:"))?.text;
    await expect.poll(reply, { timeout: 30_000 }).toContain("You said: I spoke for");
    await waitForStates(driver, ["thinking", "responding", "listening"]);

    const log = await vaLog(driver);
    expect(await violations(driver)).toEqual(refused);
    expect(log.errors).toEqual([]);
    await expect.poll(async () => (await vaLog(driver)).metrics.map((m) => m.audioLoop)).toContain(loopPath);
    expect(log.playback.at(-1)!.peak).toBeGreaterThan(0.05);

    // Everything came from the relay, where the engine's driver sees requests: the loader, lazy chunks, the
    // WASM and the model (worklet and worker fetches are not always surfaced; that they ran shows in the
    // utterance and the playback). The VAD's files have content-hashed names (widget/scripts/vad-assets.ts).
    const fromRelay = driver.requests?.().flatMap((r) => (r.url.startsWith(E2E.relayUrl) ? [new URL(r.url).pathname] : []));
    if (fromRelay) {
      for (const path of ["/voice-agent.js", "/v1/sessions", "/v1/audio/transcriptions", "/v1/chat/completions", "/v1/audio/speech"]) {
        expect(fromRelay).toContain(path);
      }
      if (driver.engine === "chromium") {
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
      }
    }

    // The policy is enforced and the page sees violations: a connection elsewhere is refused.
    await driver.evaluate(
      (url) =>
        fetch(url).then(
          () => null,
          () => null,
        ),
      E2E.demoUrl,
    );
    await expect
      .poll(async () => (await violations(driver)).map((v) => v.directive))
      .toEqual([...refused.map((v) => v.directive), "connect-src"]);
  });
}
