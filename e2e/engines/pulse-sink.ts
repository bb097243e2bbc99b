/**
 * A private PulseAudio server whose only output is a null sink, which consumes audio in real time:
 * Firefox ESR 140 has no mock audio backend (`media.cubeb.force_mock_context` came later), and without an
 * output device its AudioContext never runs. ALSA's `null` device is no substitute: it takes samples as
 * fast as they come (measured: the context's clock ran about 250 times faster than real time).
 */
import { spawn } from "node:child_process";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureOutput } from "./browser-driver.ts";

/** A running PulseAudio. */
export interface PulseSink {
  /** The `PULSE_SERVER` value for clients (`unix:<socket>`). */
  server: string;
  close(): Promise<void>;
}

/** Starts `pulseaudio` (Debian package `pulseaudio`) in a temporary directory, no D-Bus, no default modules. */
export async function startPulseSink(): Promise<PulseSink> {
  const dir = await mkdtemp(join(tmpdir(), "va-pulse-"));
  const socket = join(dir, "native");
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir };
  const pulse = spawn(
    "pulseaudio",
    [
      "--daemonize=no",
      "--exit-idle-time=-1",
      "--disable-shm=yes",
      "-n",
      "--load=module-null-sink sink_name=null",
      `--load=module-native-protocol-unix socket=${socket} auth-anonymous=1`,
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = captureOutput([pulse.stdout, pulse.stderr], 20_000);
  const exited = new Promise<void>((resolve) => pulse.once("exit", () => resolve()));
  const close = async () => {
    // A pulseaudio that is still exiting writes into its directory: removing it under it failed (ENOTEMPTY).
    if (pulse.exitCode === null && pulse.signalCode === null) {
      pulse.kill();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    }
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  const deadline = Date.now() + 10_000;
  while (
    !(await access(socket).then(
      () => true,
      () => false,
    ))
  ) {
    if (pulse.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`pulseaudio did not open ${socket}: ${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { server: `unix:${socket}`, close };
}
