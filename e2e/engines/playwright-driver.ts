/** Chromium through Playwright: Debian's Chromium with its own fake microphone device fed from the WAV. */
import { chromium } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH, fakeMicArgs } from "../../scripts/chromium.ts";
import { requestLog, type BrowserDriver, type MicSetup } from "./browser-driver.ts";
import { installEventLog, installMicrophone } from "./page-probe.ts";

/**
 * Launches Chromium. A WAV mic goes through Chromium's fake capture device (the widget's real
 * `getUserMedia` constraints apply); a denied mic is a present device whose permission prompt is dismissed.
 */
export async function launchChromium(mic: MicSetup): Promise<BrowserDriver> {
  const args =
    mic === "denied"
      ? [...CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required", "--use-fake-device-for-media-stream"]
      : fakeMicArgs(mic.wav);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args });
  const context = await browser.newContext({ permissions: [] });
  await context.addInitScript(installEventLog);
  await context.addInitScript(installMicrophone, { kind: "browser" } as const);
  const page = await context.newPage();
  const seen = requestLog();
  page.on("request", (request) => seen.request(request.url()));
  page.on("response", (response) => seen.response(response.url(), response.status()));
  return {
    engine: "chromium",
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
    click: ({ x, y }) => page.mouse.click(x, y),
    type: (text) => page.keyboard.type(text),
    screenshot: async (path) => void (await page.screenshot({ path })),
    requests: seen.list,
    // Playwright keeps Chromium's stderr out of the test output already (DEBUG=pw:browser shows it).
    output: () => "",
    close: () => browser.close(),
  };
}
