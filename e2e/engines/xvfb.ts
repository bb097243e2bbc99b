/** A private X display for a browser that needs one (WebKitGTK), on the first free display number. */
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";

/** A running Xvfb. */
export interface XDisplay {
  /** The `DISPLAY` value, e.g. `:99`. */
  display: string;
  close(): void;
}

/** Starts `Xvfb`; it picks a free display itself and reports its number on fd 3 (`-displayfd`). */
export async function startXvfb(): Promise<XDisplay> {
  const xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "pipe", "pipe"],
  });
  let stderr = "";
  xvfb.stderr!.on("data", (chunk: Buffer) => (stderr += String(chunk)));
  const number = await new Promise<string>((resolve, reject) => {
    (xvfb.stdio[3] as Readable).once("data", (chunk: Buffer) => resolve(String(chunk).trim()));
    xvfb.once("error", reject);
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it reported a display: ${stderr}`)));
  });
  return { display: `:${number}`, close: () => void xvfb.kill() };
}
