import { defineConfig } from "@playwright/test";
import type { JourneyOptions } from "./journeys/journey-test.ts";

/** The visitor journeys (`tests/journeys`) run in every engine; the rest of the suite in Chromium. */
const journeys = /journeys\/.*\.spec\.ts$/;

export default defineConfig<Partial<JourneyOptions>>({
  testDir: "tests",
  globalSetup: "./global-setup.ts",
  timeout: 90_000,
  workers: 1,
  // One retry in CI: the journeys run real speech through real browsers on a small machine, where a long
  // stall of the machine can push an utterance past the moment a journey needs it (the report says which
  // journeys needed the retry: "flaky").
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"]],
  use: { browserName: "chromium", trace: "retain-on-failure" },
  projects: [
    { name: "chromium", use: { engine: "chromium" } },
    // Two in CI for Firefox: Debian's Firefox ESR 153.8 can stall a journey (the reply never arrives, or a
    // reply never ends playing) for whole attempts in a row, most often the first Firefox journeys of a run;
    // seen before the session that added this line too (reload: 1 of 3 at e436ef2). To be investigated with
    // the browsers issue; the report names the journeys that needed a retry ("flaky").
    { name: "firefox", testMatch: journeys, use: { engine: "firefox" }, retries: process.env.CI ? 2 : 0 },
    { name: "webkit", testMatch: journeys, use: { engine: "webkit" } },
  ],
});
