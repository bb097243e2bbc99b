/**
 * The launcher as a developer uses it: `pnpm start` (and `scripts/start.ts`, which it runs) on their own
 * ports, records in a temporary SQLite file and the development secrets in a temporary file, stopped
 * with Ctrl-C the way a terminal sends it: SIGINT to the whole foreground process group. `pnpm start`
 * rebuilds the widget (the same files the suite's relay serves).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { tempDatabaseUrl } from "../agents-file.ts";
import { E2E } from "../stack-ports.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const relayUrl = `http://127.0.0.1:${E2E.launchRelayPort}`;
const demoUrl = `http://127.0.0.1:${E2E.launchDemoPort}`;
// An origin the example agents file allows.
const origin = "http://127.0.0.1:5173";

interface Launched {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  /** The token in the printed records URL's fragment. */
  recordsToken: string;
}

const groups: ChildProcess[] = [];
// A failed test leaves no stack behind.
test.afterEach(() => {
  for (const child of groups.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
  }
});

/** Starts `command` in a process group of its own (as a shell does) and waits for "Press Ctrl-C to stop." */
async function launch(command: string[], env: Record<string, string>): Promise<Launched> {
  const { ADMIN_TOKEN, RELAY_TOKEN_SECRET, OPENAI_API_KEY, ...inherited } = process.env;
  const child = spawn(command[0]!, command.slice(1), {
    cwd: root,
    detached: true,
    env: {
      ...inherited,
      PORT: String(E2E.launchRelayPort),
      DEMO_PORT: String(E2E.launchDemoPort),
      STANDIN_PORT: String(E2E.launchStandinPort),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  groups.push(child);
  const output = { stdout: "", stderr: "" };
  child.stderr!.on("data", (chunk: Buffer) => (output.stderr += chunk.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output.stdout += chunk.toString();
      const match = /#token=(\S+)[\s\S]*Press Ctrl-C to stop\./.exec(output.stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) =>
      reject(new Error(`${command.join(" ")} exited (${code}) before it was ready:\n${output.stdout}\n${output.stderr}`)),
    );
  });
  return { child, output, recordsToken: await ready };
}

/**
 * Ctrl-C in a terminal: SIGINT to every process of the foreground group. With `forwarded`, the launched
 * process gets a second SIGINT shortly after, as pnpm forwards its own to the script it runs. Resolves
 * with the exit code and signal.
 */
async function ctrlC(launched: Launched, options: { forwarded?: boolean } = {}): Promise<[number | null, NodeJS.Signals | null]> {
  const closed = once(launched.child, "close") as Promise<[number | null, NodeJS.Signals | null]>;
  process.kill(-launched.child.pid!, "SIGINT");
  if (options.forwarded) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    launched.child.kill("SIGINT");
  }
  return closed;
}

test("pnpm start: Ctrl-C exits 0 without an ELIFECYCLE line", async () => {
  test.setTimeout(120_000);
  const secrets = join(await mkdtemp(join(tmpdir(), "voice-agent-start-")), "local.json");
  const launched = await launch(["pnpm", "start"], { DATABASE_URL: await tempDatabaseUrl(), DEV_SECRETS_FILE: secrets });
  const [code, signal] = await ctrlC(launched);
  expect(launched.output.stdout + launched.output.stderr).not.toContain("ELIFECYCLE");
  expect([code, signal]).toEqual([0, null]);
});

test("scripts/start.ts: the records URL and the visitors' tokens survive a restart; Ctrl-C exits 0 with no error output", async () => {
  const secrets = join(await mkdtemp(join(tmpdir(), "voice-agent-start-")), "local.json");
  const env = { DATABASE_URL: await tempDatabaseUrl(), DEV_SECRETS_FILE: secrets };

  const first = await launch([process.execPath, "scripts/start.ts"], env);
  expect((await stat(secrets)).mode & 0o777).toBe(0o600);
  const kept = await readFile(secrets, "utf8");
  const created = await fetch(`${relayUrl}/v1/sessions`, {
    method: "POST",
    headers: { origin, "content-type": "application/json" },
    body: JSON.stringify({ agent: "demo" }),
  });
  expect(created.status).toBe(201);
  const { token } = (await created.json()) as { token: string };
  expect(await ctrlC(first, { forwarded: true })).toEqual([0, null]);
  expect(first.output.stderr).toBe("");

  const second = await launch([process.execPath, "scripts/start.ts"], env);
  try {
    expect(second.recordsToken).toBe(first.recordsToken);
    expect(await readFile(secrets, "utf8")).toBe(kept);
    // The old records URL works: the records page reaches the admin API through the demo server.
    const sessions = await fetch(`${demoUrl}/admin/sessions`, { headers: { authorization: `Bearer ${first.recordsToken}` } });
    expect(sessions.status).toBe(200);
    // A visitor's token from before the restart is still valid (same token secret).
    const refreshed = await fetch(`${relayUrl}/v1/sessions/refresh`, {
      method: "POST",
      headers: { origin, authorization: `Bearer ${token}` },
    });
    expect(refreshed.status).toBe(200);
    // Neither secret is printed, except the admin token in the records URL's fragment.
    const { tokenSecret } = JSON.parse(kept) as { tokenSecret: string };
    expect(second.output.stdout).not.toContain(tokenSecret);
    expect(second.output.stdout.split(second.recordsToken)).toHaveLength(2);
  } finally {
    expect(await ctrlC(second)).toEqual([0, null]);
  }
  expect(second.output.stderr).toBe("");
});
