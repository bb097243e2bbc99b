import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testAgent } from "../test/fixtures.ts";

const mainTs = fileURLToPath(new URL("./main.ts", import.meta.url));
const SECRET = "process-test-token-secret-0123456789abcdef";
const ADMIN = "process-test-admin-token-0123456789";

interface Outcome {
  /** Exit code, or "listening" when the relay started (it is then stopped by `whenListening`). */
  result: number | null | "listening";
  /** The exit code and signal, also after "listening". */
  exit: [number | null, NodeJS.Signals | null];
  stdout: string;
  stderr: string;
}

describe("the relay's Node entry", () => {
  let dir: string;
  let agentsFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relay-main-"));
    agentsFile = join(dir, "agents.json");
    writeFileSync(agentsFile, JSON.stringify({ agents: [testAgent] }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Runs main.ts with only `env` (plus a port, agents, a temporary SQLite and an upstream) until it exits;
   * once it listens, `whenListening` stops it (default: SIGTERM).
   */
  function runRelay(env: Record<string, string>, whenListening = (child: ChildProcess) => void child.kill("SIGTERM")): Promise<Outcome> {
    const child = spawn(process.execPath, [mainTs], {
      env: {
        PATH: process.env.PATH,
        PORT: "0",
        HOST: "127.0.0.1",
        AGENTS_FILE: agentsFile,
        WIDGET_DIR: join(dir, "no-widget"),
        OPENAI_API_KEY: "sk-test",
        OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
        DATABASE_URL: `file:${join(dir, "records.sqlite")}`,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const outcome: Outcome = { result: null, exit: [null, null], stdout: "", stderr: "" };
    child.stderr.on("data", (chunk: Buffer) => (outcome.stderr += chunk.toString()));
    return new Promise((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        outcome.stdout += chunk.toString();
        if (outcome.result === null && outcome.stdout.includes("relay listening on")) {
          outcome.result = "listening";
          whenListening(child);
        }
      });
      child.once("exit", (code, signal) => {
        outcome.exit = [code, signal];
        if (outcome.result === null) outcome.result = code;
        resolve(outcome);
      });
    });
  }

  it("production: refuses to start without RELAY_TOKEN_SECRET: exit 1, one line naming it and how to make one", async () => {
    const { result, stdout, stderr } = await runRelay({ NODE_ENV: "production", ADMIN_TOKEN: ADMIN });
    expect(result).toBe(1);
    expect(stderr).toMatch(/^relay: [^\n]*RELAY_TOKEN_SECRET is not set[^\n]*openssl rand -hex 32[^\n]*\n$/);
    expect(stdout).toBe("");
  });

  it("production: refuses to start without ADMIN_TOKEN: exit 1, one line naming it and how to make one", async () => {
    const { result, stderr } = await runRelay({ NODE_ENV: "production", RELAY_TOKEN_SECRET: SECRET });
    expect(result).toBe(1);
    expect(stderr).toMatch(/^relay: [^\n]*ADMIN_TOKEN is not set[^\n]*openssl rand -hex 24[^\n]*\n$/);
  });

  it("production: refuses a too-short RELAY_TOKEN_SECRET and does not print it", async () => {
    const short = "short-secret-0123456789";
    const { result, stdout, stderr } = await runRelay({ NODE_ENV: "production", RELAY_TOKEN_SECRET: short, ADMIN_TOKEN: ADMIN });
    expect(result).toBe(1);
    expect(stderr).toMatch(/RELAY_TOKEN_SECRET must be at least 32 characters/);
    expect(stdout + stderr).not.toContain(short);
  });

  it("production: starts with both set, and logs neither the secret nor the admin token", async () => {
    const { result, stdout, stderr } = await runRelay({ NODE_ENV: "production", RELAY_TOKEN_SECRET: SECRET, ADMIN_TOKEN: ADMIN });
    expect(result).toBe("listening");
    expect(stdout + stderr).not.toContain(SECRET);
    expect(stdout + stderr).not.toContain(ADMIN);
    expect(stdout).not.toContain("RELAY_TOKEN_SECRET is not set");
  });

  it("Ctrl-C under pnpm (SIGINT twice: the terminal's and the one pnpm forwards) drains once and exits 0", async () => {
    const { result, exit, stdout } = await runRelay({ RELAY_TOKEN_SECRET: SECRET }, (child) => {
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGINT"), 5);
    });
    expect(result).toBe("listening");
    expect(exit).toEqual([0, null]);
    expect(stdout.match(/draining open streams/g)).toHaveLength(1);
  });

  it("knowledge: indexes the files at start and says so in the start summary; a missing file is one line and exit 1", async () => {
    const file = join(dir, "knowledge-agents.json");
    mkdirSync(join(dir, "kb"), { recursive: true });
    writeFileSync(join(dir, "kb", "faq.md"), "# Opening hours\n\nWe open at nine.\n\n# Parking\n\nThere is none.\n");
    const withFiles = (files: string[]) => writeFileSync(file, JSON.stringify({ agents: [{ ...testAgent, knowledge: { files } }] }));

    withFiles(["kb/faq.md"]);
    const started = await runRelay({ RELAY_TOKEN_SECRET: SECRET, AGENTS_FILE: file });
    expect(started.result).toBe("listening");
    expect(started.stdout).toMatch(/ · knowledge demo 1 file, 2 passages, \d+ ms · /);

    withFiles(["kb/faq.md", "kb/missing.md"]);
    const { result, stdout, stderr } = await runRelay({ RELAY_TOKEN_SECRET: SECRET, AGENTS_FILE: file });
    expect(result).toBe(1);
    expect(stderr).toBe("relay: knowledge-agents.json: agents[0].knowledge.files[1]: kb/missing.md cannot be read (ENOENT)\n");
    expect(stdout).toBe("");
  });
});
