/**
 * Starts the whole product as separate processes: the upstream stand-in (unless a provider key is set),
 * the relay (which serves the built widget) and the demo page. Used by `pnpm start`, the e2e suite and
 * the e2e benchmarks, which also start single processes ({@link startStandin}, {@link startRelay}) to
 * kill, restart or reconfigure them mid-test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const host = "127.0.0.1";

/** Where child output goes: prefixed to this process's output, dropped, or handed to a function as it comes. */
export type StackOutput = "inherit" | "quiet" | ((text: string) => void);

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
  /** Extra environment for the stand-in (e.g. `STANDIN_PROFILE`). */
  standinEnv?: Record<string, string>;
  /** Default "inherit". */
  output?: StackOutput;
}

/** A running stack. */
export interface Stack {
  relayUrl: string;
  demoUrl: string;
  /** Base URL of the stand-in's `/v1` routes, when it runs. */
  standinUrl: string | undefined;
  /** The relay process (kill it, restart it with other settings). */
  relay: ManagedProcess;
  stop(): Promise<void>;
}

/** One child process that answers HTTP once ready, and can be killed and started again. */
export interface ManagedProcess {
  /** e.g. `http://127.0.0.1:8787`. */
  readonly url: string;
  /** Whether the process is running. */
  readonly running: boolean;
  /** Sends `signal` (default SIGTERM) and resolves once the process exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again (after `kill`), with `env` merged over its environment; resolves once it answers. */
  start(env?: Record<string, string>): Promise<void>;
}

/** Starts every process and resolves once each answers HTTP. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const offline = options.offline ?? !process.env.OPENAI_API_KEY;
  const started: ManagedProcess[] = [];
  const stop = () => Promise.all(started.map((p) => p.kill())).then(() => {});
  try {
    let standinUrl: string | undefined;
    if (offline) {
      const standin = await startStandin({ port: options.standinPort, env: options.standinEnv, output: options.output });
      started.push(standin);
      standinUrl = `${standin.url}/v1`;
    }
    const relay = await startRelay({
      port: options.relayPort,
      standinUrl,
      agentsFile: options.agentsFile,
      env: options.relayEnv,
      output: options.output,
    });
    started.push(relay);
    const demo = await startDemo({ port: options.demoPort, relayUrl: relay.url, output: options.output });
    started.push(demo);
    return { relayUrl: relay.url, demoUrl: demo.url, standinUrl, relay, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts the upstream stand-in; its `/v1` routes are under `url + "/v1"`. */
export function startStandin(options: {
  port: number;
  env?: Record<string, string> | undefined;
  output?: StackOutput | undefined;
}): Promise<ManagedProcess> {
  return startProcess(
    "standin",
    [process.execPath, "standin/src/main.ts"],
    { STANDIN_PORT: String(options.port), ...options.env },
    {
      url: `http://${host}:${options.port}`,
      readyPath: "/__standin/requests",
      output: options.output,
    },
  );
}

/** Settings of one relay process. */
export interface RelayProcessOptions {
  port: number;
  /** The stand-in's `/v1` base URL; the relay then runs as the offline demo. */
  standinUrl?: string | undefined;
  agentsFile?: string | undefined;
  /** Extra environment (e.g. `ADMIN_TOKEN`, `TOKEN_TTL_SECONDS`, `DATABASE_URL`). */
  env?: Record<string, string> | undefined;
  output?: StackOutput | undefined;
  /**
   * The command line, default `node relay/src/main.ts` (the sources). `pnpm build`'s production build is
   * `[process.execPath, "--no-experimental-strip-types", "relay/dist/main.js"]`. Relative to the repo root.
   */
  command?: string[] | undefined;
  /** Name in prefixed output and errors, default "relay". */
  name?: string | undefined;
}

/** Starts one relay; resolves once `/healthz` answers. */
export function startRelay(options: RelayProcessOptions): Promise<ManagedProcess> {
  return startProcess(
    options.name ?? "relay",
    options.command ?? [process.execPath, "relay/src/main.ts"],
    {
      PORT: String(options.port),
      HOST: host,
      ...(options.standinUrl ? { OFFLINE_DEMO_UPSTREAM: options.standinUrl } : {}),
      ...(options.agentsFile ? { AGENTS_FILE: options.agentsFile } : {}),
      ...options.env,
    },
    { url: `http://${host}:${options.port}`, readyPath: "/healthz", output: options.output },
  );
}

/** Starts the demo host page (Vite), which embeds the widget from `relayUrl`. */
export function startDemo(options: { port: number; relayUrl: string; output?: StackOutput | undefined }): Promise<ManagedProcess> {
  return startProcess(
    "demo",
    // Vite refuses a second dev server of one project; stacks of one checkout (pnpm start, the e2e suite's
    // and its launcher tests') run several on their own fixed ports, and a taken port still fails (strictPort).
    [process.execPath, "demo/node_modules/vite/bin/vite.js", "demo", "--config", "demo/vite.config.ts", "--bypass-lock"],
    { DEMO_PORT: String(options.port), VITE_RELAY_URL: options.relayUrl },
    { url: `http://${host}:${options.port}`, readyPath: "/", output: options.output },
  );
}

async function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  options: { url: string; readyPath: string; output?: StackOutput | undefined },
): Promise<ManagedProcess> {
  let child: ChildProcess | undefined;
  let currentEnv = env;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const managed: ManagedProcess = {
    url: options.url,
    get running() {
      return running();
    },
    kill(signal = "SIGTERM") {
      const target = child;
      if (!target || !running()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        target.once("exit", () => resolve());
        target.kill(signal);
      });
    },
    async start(extra = {}) {
      if (running()) throw new Error(`${name} is already running`);
      // Another process on the port would answer the readiness check for the one about to fail to bind it.
      if (await answers(`${options.url}${options.readyPath}`))
        throw new Error(`${name}: ${options.url} already answers: another process holds the port (a stack left running?)`);
      currentEnv = { ...currentEnv, ...extra };
      child = spawn(args[0]!, args.slice(1), { cwd: root, env: { ...process.env, ...currentEnv }, stdio: ["ignore", "pipe", "pipe"] });
      for (const stream of [child.stdout, child.stderr]) {
        stream?.on("data", (chunk: Buffer) => {
          if (typeof options.output === "function") options.output(chunk.toString());
          else if (options.output !== "quiet") process.stdout.write(prefix(name, chunk.toString()));
        });
      }
      const exited = new Promise<never>((_, reject) =>
        child!.once("exit", (code) => reject(new Error(`${name} exited (code ${code}) before answering ${options.url}`))),
      );
      try {
        await Promise.race([waitForHttp(`${options.url}${options.readyPath}`), exited]);
      } catch (error) {
        await managed.kill();
        throw error;
      }
      exited.catch(() => {});
    },
  };
  await managed.start();
  return managed;
}

/** True when something answers `url` now. */
async function answers(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (response) => (void response.body?.cancel(), true),
    () => false,
  );
}

async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function prefix(name: string, text: string): string {
  return text.replace(/^(?=.)/gm, `[${name}] `);
}
