import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: ".",
  testMatch: "*.browser.test.ts",
  timeout: 60_000,
  workers: 1,
  reporter: [["list"]],
  use: { browserName: "chromium" },
});
