import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../scripts/chromium.ts";
import { emulateReducedMotion } from "./test/media-commands.ts";

// Pure units run in Node; `*.browser.test.ts` run in Debian's Chromium through Playwright.
export default defineConfig({
  test: {
    // Lit's development build runs its extra checks in the tests; its banner on every page is not news.
    onConsoleLog: (log) => !log.includes("Lit is in dev mode"),
    projects: [
      {
        test: {
          name: "node",
          include: ["src/**/*.test.ts", "tools/**/*.test.ts", "scripts/**/*.test.ts"],
          exclude: ["src/**/*.browser.test.ts"],
          environment: "node",
        },
      },
      {
        // Pre-bundled up front: a dependency discovered mid-run makes Vite reload the page under the tests.
        optimizeDeps: { include: ["lit", "dexie", "axe-core"] },
        test: {
          name: "browser",
          include: ["src/**/*.browser.test.ts"],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] },
            }),
            instances: [{ browser: "chromium" }],
            commands: { emulateReducedMotion },
          },
        },
      },
    ],
  },
});
