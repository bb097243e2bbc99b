/**
 * Starts the whole product as separate processes: the upstream stand-in (unless a provider key is set),
 * the relay (which serves the built widget) and the demo page. Used by `pnpm start` and the e2e suite.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Ports and settings of one stack. */
export interface StackOptions {
  relayPort: number;
  demoPort: number;
  standinPort: number;
  /** Start the stand-in and point the relay at it. Default: when `OPENAI_API_KEY` is unset. */
  offline?: boolean;
  /** Agent configuration file for the relay (default: the relay's own `agents.json`). */
  agentsFile?: string;
  /** Extra environment for the relay. */
  relayEnv?: Record<string, string>;
  /** Where child output goes: prefixed to this process's output, or dropped. Default "inherit". */
  output?: "inherit" | "quiet";
}

/** A running stack. */
export interface Stack {
  relayUrl: string;
  demoUrl: string;
  /** Base URL of the stand-in's `/v1` routes, when it runs. */
  standinUrl: string | undefined;
  stop(): Promise<void>;
}

/** Starts every process and resolves once each answers HTTP. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const offline = options.offline ?? !process.env.OPENAI_API_KEY;
  const children: ChildProcess[] = [];
  const run = (name: string, args: string[], env: Record<string, string>) => {
    const child = spawn(args[0]!, args.slice(1), { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on("data", (chunk: Buffer) => {
        if (options.output !== "quiet") process.stdout.write(prefix(name, chunk.toString()));
      });
    }
    children.push(child);
    return child;
  };
  const stop = async () => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    })));
  };
  const host = "127.0.0.1";
  const relayUrl = `http://${host}:${options.relayPort}`;
  const demoUrl = `http://${host}:${options.demoPort}`;
  const standinUrl = offline ? `http://${host}:${options.standinPort}/v1` : undefined;
  try {
    if (standinUrl) {
      run("standin", [process.execPath, "standin/src/main.ts"], { STANDIN_PORT: String(options.standinPort) });
      await waitForHttp(`${standinUrl.replace(/\/v1$/, "")}/__standin/requests`);
    }
    run("relay", [process.execPath, "relay/src/main.ts"], {
      PORT: String(options.relayPort),
      HOST: host,
      ...(standinUrl ? { OFFLINE_DEMO_UPSTREAM: standinUrl } : {}),
      ...(options.agentsFile ? { AGENTS_FILE: options.agentsFile } : {}),
      ...options.relayEnv,
    });
    await waitForHttp(`${relayUrl}/healthz`);
    run("demo", [process.execPath, "demo/node_modules/vite/bin/vite.js", "demo", "--config", "demo/vite.config.ts"], {
      DEMO_PORT: String(options.demoPort),
      VITE_RELAY_URL: relayUrl,
    });
    await waitForHttp(demoUrl);
  } catch (error) {
    await stop();
    throw error;
  }
  return { relayUrl, demoUrl, standinUrl, stop };
}

async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
}

function prefix(name: string, text: string): string {
  return text.replace(/^(?=.)/gm, `[${name}] `);
}
