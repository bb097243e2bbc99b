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
    { name: "firefox", testMatch: journeys, use: { engine: "firefox" } },
    { name: "webkit", testMatch: journeys, use: { engine: "webkit" } },
  ],
});
