/** Launch options for Debian's Chromium with a fake microphone fed from a WAV fixture. */
import type { LaunchOptions } from "@playwright/test";
import { fileURLToPath } from "node:url";

/** Absolute path of a fixture in `e2e/fixtures`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
}

/** Flags Debian's Chromium needs as root in this environment, without the media ones. */
const BASE_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--autoplay-policy=no-user-gesture-required",
];

/** Chromium whose microphone plays `wav` once (from when capture opens), then silence. */
export function withFakeMic(wav: string): LaunchOptions {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [...BASE_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${wav}%noloop`],
  };
}

/**
 * Chromium with a (fake) microphone present but no automatic permission grant: without
 * `--use-fake-ui-for-media-stream`, a context that was not granted `microphone` has the permission
 * prompt dismissed, and `getUserMedia` rejects with `NotAllowedError` as when a visitor says no.
 */
export function withMicPromptDenied(wav: string): LaunchOptions {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [...BASE_ARGS, "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${wav}%noloop`],
  };
}
