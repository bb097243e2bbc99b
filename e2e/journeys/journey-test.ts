/**
 * Playwright's `test` for the visitor journeys: `driver` is a {@link BrowserDriver} of the project's
 * engine (option `engine`) with the microphone the test asks for (option `mic`). When a journey fails,
 * the widget's event log, a screenshot and the browser's stderr (otherwise kept out of the output:
 * D-Bus, ALSA and GStreamer chatter) are attached to the report and the log and stderr tail printed.
 */
import { test as base, type TestInfo } from "@playwright/test";
import { fixture } from "../chromium.ts";
import type { BrowserDriver, Engine, MicSetup } from "../engines/browser-driver.ts";
import { launchDriver } from "../engines/launch.ts";
import { vaLog } from "./widget-driver.ts";

/** The options a project or a test file sets. */
export interface JourneyOptions {
  engine: Engine;
  mic: MicSetup;
}

export const test = base.extend<JourneyOptions & { driver: BrowserDriver }>({
  engine: ["chromium", { option: true }],
  mic: [{ wav: fixture("silence.wav") }, { option: true }],
  driver: async ({ engine, mic }, use, testInfo) => {
    const driver = await launchDriver(engine, mic);
    try {
      await use(driver);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) await reportFailure(driver, testInfo);
      await driver.close();
    }
  },
});

export { expect } from "@playwright/test";

async function reportFailure(driver: BrowserDriver, testInfo: TestInfo): Promise<void> {
  const log = await vaLog(driver).catch(() => undefined);
  if (log) {
    const body = JSON.stringify({ states: log.states, errors: log.errors, csp: log.csp });
    console.log(`va-log (${driver.engine}): ${body}`);
    await testInfo.attach("va-log", { body, contentType: "application/json" });
  }
  const screenshot = testInfo.outputPath("page.png");
  if (
    await driver.screenshot(screenshot).then(
      () => true,
      () => false,
    )
  )
    await testInfo.attach("page", { path: screenshot, contentType: "image/png" });
  const output = driver.output();
  if (output) {
    console.log(`${driver.engine} stderr (last 3000 characters):\n${output.slice(-3000)}`);
    await testInfo.attach(`${driver.engine}-stderr`, { body: output, contentType: "text/plain" });
  }
}
