/** Browser commands of the element tests (they run in Node, on the test's Playwright page). */
/// <reference types="@vitest/browser-playwright" />
import type { BrowserCommand } from "vitest/node";

/** Emulates `prefers-reduced-motion: reduce` (true) or `no-preference` (false) for the test page. */
export const emulateReducedMotion: BrowserCommand<[reduce: boolean]> = async ({ page }, reduce) => {
  await page.emulateMedia({ reducedMotion: reduce ? "reduce" : "no-preference" });
};

declare module "vitest/browser" {
  interface BrowserCommands {
    emulateReducedMotion(reduce: boolean): Promise<void>;
  }
}
