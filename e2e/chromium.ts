/** Launch options for Debian's Chromium with a fake microphone fed from a WAV fixture. */
import type { LaunchOptions } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { CHROMIUM_PATH, fakeMicArgs } from "../scripts/chromium.ts";

/** Absolute path of a fixture in `e2e/fixtures`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
}

/** Chromium whose microphone plays `wav` once (from when capture opens), then silence. */
export function withFakeMic(wav: string): LaunchOptions {
  return { executablePath: CHROMIUM_PATH, args: fakeMicArgs(wav) };
}
