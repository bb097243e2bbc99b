/**
 * The one Chromium setup of every browser test (widget units, audio harness, e2e): Debian's Chromium,
 * flags for a container without a GPU or network, and a fake microphone fed from a WAV file.
 */

/** Chromium executable: `CHROMIUM_PATH`, default Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for running as root in a container without a GPU or network. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * {@link CHROMIUM_ARGS} plus a microphone that plays `wav` (absolute path) once from when capture opens,
 * then silence, with media permission granted and autoplay allowed.
 */
export function fakeMicArgs(wav: string): string[] {
  return [
    ...CHROMIUM_ARGS,
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    `--use-file-for-fake-audio-capture=${wav}%noloop`,
    "--autoplay-policy=no-user-gesture-required",
  ];
}
