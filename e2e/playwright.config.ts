import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests",
  globalSetup: "./global-setup.ts",
  timeout: 90_000,
  workers: 1,
  reporter: [["list"]],
  use: { browserName: "chromium", trace: "retain-on-failure" },
});
