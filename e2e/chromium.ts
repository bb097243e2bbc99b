/** Launch options for Debian's Chromium with a fake microphone fed from a WAV fixture. */
import type { LaunchOptions } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { CHROMIUM_PATH, fakeMicArgs } from "../scripts/chromium.ts";

/** Absolute path of a fixture in `e2e/fixtures`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
}

/**
 * Chromium whose microphone plays `wav` once (from when capture opens), then silence. `webrtc`: WebRTC may
 * use the loopback interface (`--allow-loopback-in-peer-connection`), where the stand-in's peer offers its
 * candidate; without it a machine with no other interface never connects (docs/research/webrtc-spike.md).
 */
export function withFakeMic(wav: string, options: { webrtc?: boolean } = {}): LaunchOptions {
  const args = fakeMicArgs(wav);
  return { executablePath: CHROMIUM_PATH, args: options.webrtc ? [...args, "--allow-loopback-in-peer-connection"] : args };
}
