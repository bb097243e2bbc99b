/** The benchmarks' child processes: one script of this folder each, ready once it prints "ready". */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

/** Every process started here, for the benchmark to stop at its end. */
export const benchChildren: ChildProcess[] = [];

/**
 * Starts `script` (a file of this folder) with `env` over this process's environment; resolves once it
 * prints "ready". With `profileDir`, it runs under `--cpu-prof` and its pid is printed.
 */
export function startBenchProcess(script: string, env: Record<string, string>, profileDir?: string): Promise<ChildProcess> {
  const profile = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const child = spawn(process.execPath, [...profile, here + script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  benchChildren.push(child);
  if (profileDir) console.error(`${script} (port ${env.PORT}): pid ${child.pid}`);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
