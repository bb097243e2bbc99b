/** Firefox ESR through Puppeteer over WebDriver BiDi (Debian's `firefox-esr`). */
import { readFile } from "node:fs/promises";
import puppeteer from "puppeteer-core";
import { captureOutput, requestLog, type BrowserDriver, type MicSetup } from "./browser-driver.ts";
import { installEventLog, installMicrophone, type PageMic } from "./page-probe.ts";
import { startPulseSink } from "./pulse-sink.ts";

/** Firefox executable: `FIREFOX_PATH`, default Debian's `/usr/bin/firefox-esr`. */
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";

/**
 * Launches headless Firefox, its audio going to a private PulseAudio null sink. Autoplay stays at its
 * default (what visitors have): the journeys click with the real pointer, which activates the page.
 */
export async function launchFirefox(mic: MicSetup): Promise<BrowserDriver> {
  const sink = await startPulseSink();
  const browser = await puppeteer
    .launch({
      browser: "firefox",
      executablePath: FIREFOX_PATH,
      headless: true,
      env: { ...process.env, PULSE_SERVER: sink.server },
      // A denied mic is the browser's own refusal (a fake device whose permission is blocked, as after a
      // visitor's "Block"); a granted one is the page's WAV (installMicrophone), which needs no preference.
      extraPrefsFirefox: mic === "denied" ? { "media.navigator.streams.fake": true, "permissions.default.microphone": 2 } : {},
    })
    .catch(async (error: unknown) => {
      await sink.close();
      throw error;
    });
  const output = captureOutput([browser.process()?.stdout, browser.process()?.stderr]);
  const page = await browser.newPage();
  const pageMic: PageMic = mic === "denied" ? { kind: "browser" } : { kind: "wav", base64: (await readFile(mic.wav)).toString("base64") };
  // Preload scripts (BiDi) run before the page's own scripts and give no user activation.
  await page.evaluateOnNewDocument(installEventLog);
  await page.evaluateOnNewDocument(installMicrophone, pageMic);
  const seen = requestLog();
  page.on("request", (request) => seen.request(request.url()));
  page.on("response", (response) => seen.response(response.url(), response.status()));
  return {
    engine: "firefox",
    goto: async (url) => void (await page.goto(url, { waitUntil: "load" })),
    reload: async () => void (await page.reload({ waitUntil: "load" })),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    click: ({ x, y }) => page.mouse.click(x, y),
    type: (text) => page.keyboard.type(text),
    screenshot: async (path) => void (await page.screenshot({ path })),
    requests: seen.list,
    output,
    close: async () => {
      await browser.close();
      await sink.close();
    },
  };
}
