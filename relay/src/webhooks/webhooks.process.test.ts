import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentConfig } from "../agent-config.ts";
import type { CreateSessionResponse } from "../protocol.ts";
import type { WebhookPage } from "../records/webhook-outbox.ts";
import { TEST_ORIGIN, testAgent } from "../../test/fixtures.ts";
import { startWebhookReceiver } from "../../test/webhook-receiver.ts";

const ADMIN = "webhook-process-admin-token-0123456789";
const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const mainTs = fileURLToPath(new URL("../main.ts", import.meta.url));
const SESSIONS = 6;

describe("webhooks survive relay process kills", { timeout: 60_000 }, () => {
  let dir: string;
  let agentsFile: string;
  let port: number;
  let output = "";
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "webhooks-process-"));
    // A free port for the receiver, which is down at first.
    const probe = await startWebhookReceiver();
    port = probe.port;
    await probe.close();
    const agent: AgentConfig = {
      ...testAgent,
      toolHosts: [`127.0.0.1:${port}`],
      webhooks: {
        secret: { env: "DEMO_WEBHOOK_SECRET" },
        endpoints: [{ url: `http://127.0.0.1:${port}/hooks`, events: ["session.ended"] }],
      },
    };
    agentsFile = join(dir, "agents.json");
    writeFileSync(agentsFile, JSON.stringify({ agents: [agent] }));
  });
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  async function startRelay(): Promise<{ url: string; child: ChildProcess }> {
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
        ADMIN_TOKEN: ADMIN,
        DEMO_WEBHOOK_SECRET: SECRET,
        WEBHOOK_POLL_MS: "50",
        WEBHOOK_BACKOFF_MS: "200",
        WEBHOOK_TIMEOUT_MS: "1000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      let mine = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        mine += chunk.toString();
        output += chunk.toString();
        const match = /relay listening on (http:\/\/\S+)/.exec(mine);
        if (match?.[1]) resolve(match[1]);
      });
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", (code) => reject(new Error(`relay exited (${code}) before listening:\n${mine}`)));
    });
    return { url, child };
  }

  const kill = async (child: ChildProcess) => {
    child.kill("SIGKILL");
    await once(child, "exit");
  };

  const webhooks = async (url: string, status: string) =>
    (await (
      await fetch(`${url}/admin/webhooks?status=${status}`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json()) as WebhookPage;

  async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A session opened and ended by the widget's `end` report (committed before the 202). */
  async function endSession(url: string, reason: string): Promise<string> {
    const created = await fetch(`${url}/v1/sessions`, {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ agent: "demo" }),
    });
    const session = (await created.json()) as CreateSessionResponse;
    const reported = await fetch(`${url}/v1/session-events`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ reports: [{ type: "end", reason }] }),
    });
    expect(reported.status).toBe(202);
    return session.sessionId;
  }

  it("refuses to start when an agent's webhook secret is not set: exit 1, one line naming the agent and the variable", async () => {
    const child = spawn(process.execPath, [mainTs], {
      env: {
        PATH: process.env.PATH,
        PORT: "0",
        AGENTS_FILE: agentsFile,
        OPENAI_API_KEY: "sk-test",
        DATABASE_URL: `file:${join(dir, "unused.sqlite")}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(stderr).toMatch(/^relay: agent demo: webhooks\.secret: DEMO_WEBHOOK_SECRET is not set; make one with[^\n]*whsec_[^\n]*\n$/);
  });

  it("every session.ended is delivered at least once after SIGKILLs, with a stable id and a valid signature", async () => {
    // 1. The receiver is down: every session's delivery fails its first attempts; the relay is killed.
    const first = await startRelay();
    const sessionIds = await Promise.all(
      Array.from({ length: SESSIONS }, (_, i) => endSession(first.url, ["hangup", "unload", "error"][i % 3]!)),
    );
    let pending: WebhookPage["webhooks"] = [];
    await until(async () => {
      pending = (await webhooks(first.url, "pending")).webhooks;
      return pending.length === SESSIONS && pending.every((w) => w.attempts.length >= 1);
    }, "a failed attempt of every delivery");
    expect(pending.flatMap((w) => w.attempts.map((a) => a.error))).toContain("ECONNREFUSED");
    expect(pending.map((w) => w.sessionId).sort()).toEqual([...sessionIds].sort());
    const ids = pending.map((w) => w.id).sort();
    await kill(first.child);

    // 2. The receiver is up but slow; the relay is killed again while its attempts are in flight.
    const receiver = await startWebhookReceiver(() => ({ status: 200, delayMs: 400 }), port);
    try {
      const second = await startRelay();
      await until(async () => receiver.received.length >= 1, "an attempt in flight");
      await kill(second.child);

      // 3. A third relay delivers what is left (in-flight claims after their lease).
      const third = await startRelay();
      await until(async () => (await webhooks(third.url, "delivered")).webhooks.length === SESSIONS, "every delivery", 30_000);
      const delivered = (await webhooks(third.url, "delivered")).webhooks;
      expect(delivered.map((w) => w.id).sort()).toEqual(ids);
      third.child.kill("SIGTERM");
      await once(third.child, "exit");

      const verifier = new Webhook(SECRET);
      const received = receiver.received.map((r) => ({
        id: r.headers["webhook-id"] as string,
        payload: verifier.verify(r.body, r.headers as Record<string, string>) as { type: string; data: { sessionId: string } },
      }));
      const unique = new Set(received.map((r) => r.id));
      expect([...unique].sort()).toEqual(ids);
      for (const r of received) expect(r.payload.type).toBe("session.ended");
      expect(new Set(received.map((r) => r.payload.data.sessionId))).toEqual(new Set(sessionIds));
      const duplicates = received.length - unique.size;
      console.log(
        `webhooks.process: ${received.length} requests for ${unique.size} deliveries, ${duplicates} duplicates (dropped by webhook-id)`,
      );
      expect(output).not.toContain(SECRET.slice(6));
    } finally {
      await receiver.close();
    }
  });
});
