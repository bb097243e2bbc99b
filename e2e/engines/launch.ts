/** One entry point for the journeys: a {@link BrowserDriver} for an engine. */
import type { BrowserDriver, Engine, MicSetup } from "./browser-driver.ts";
import { launchChromium } from "./playwright-driver.ts";
import { launchFirefox } from "./puppeteer-driver.ts";
import { launchWebKit } from "./webdriver-driver.ts";

/** Launches `engine` with the visitor's microphone set up as `mic`. */
export function launchDriver(engine: Engine, mic: MicSetup): Promise<BrowserDriver> {
  switch (engine) {
    case "chromium":
      return launchChromium(mic);
    case "firefox":
      return launchFirefox(mic);
    case "webkit":
      return launchWebKit(mic);
  }
}
