/** Debian Chromium with a fake microphone playing a WAV fixture once (see AUDIO-NOTES.md for the flags). */
import type { LaunchOptions } from "@playwright/test";
import { fileURLToPath } from "node:url";

/** Absolute path of a fixture in `e2e/fixtures`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../e2e/fixtures/${name}`, import.meta.url));
}

/** Launch options whose microphone plays `wav` once from when capture opens, then silence. */
export function withFakeMic(wav: string): LaunchOptions {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${wav}%noloop`,
      "--autoplay-policy=no-user-gesture-required",
    ],
  };
}
