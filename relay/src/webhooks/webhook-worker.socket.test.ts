import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentConfig } from "../agent-config.ts";
import { BatchingRecordWriter } from "../records/batching-record-writer.ts";
import type { WebhookDelivery } from "../records/webhook-outbox.ts";
import type { SessionStore } from "../records/session-store.ts";
import { createTestApp, testAgent } from "../../test/fixtures.ts";
import { storeFactories } from "../../test/store-factories.ts";
import { messageOp, sessionOp } from "../../test/record-fixtures.ts";
import { startWebhookReceiver, type ReceiverAnswer } from "../../test/webhook-receiver.ts";
import type { LogEntry } from "../relay-log.ts";
import { decodeWebhookSecret } from "./webhook-signature.ts";
import { webhookOps } from "./webhook-ops.ts";
import { startWebhookWorker, type WebhookWorker } from "./webhook-worker.ts";

const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const ADMIN = "webhook-test-admin-token-0123456789";

/** Polls `check` every 20 ms until it returns something truthy (or fails after 10 s). */
async function until<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(storeFactories())("webhook delivery worker against real receivers (%s)", (_, open) => {
  let store: SessionStore;
  let dispose: () => Promise<void>;
  let worker: WebhookWorker | undefined;
  const closers: (() => Promise<void>)[] = [];
  const logs: LogEntry[] = [];

  beforeEach(async () => {
    ({ store, dispose } = await open());
    logs.length = 0;
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
    for (const close of closers.splice(0)) await close();
    await dispose();
  });

  async function receiver(answer?: (n: number) => ReceiverAnswer) {
    const r = await startWebhookReceiver(answer);
    closers.push(r.close);
    return r;
  }

  function agentFor(url: string, toolHosts: string[]): AgentConfig {
    return {
      ...testAgent,
      toolHosts,
      webhooks: { secret: { env: "UNUSED" }, endpoints: [{ url, events: ["session.ended", "analysis.completed"] }] },
    };
  }

  function start(agent: AgentConfig, timeoutMs = 2000) {
    worker = startWebhookWorker({
      outbox: store,
      agents: [agent],
      secrets: new Map([[agent.id, decodeWebhookSecret(SECRET)!]]),
      log: (entry) => logs.push(entry),
      pollMs: 20,
      timeoutMs,
      retry: { backoffBaseMs: 40, backoffMaxMs: 1000, retryForMs: 60_000 },
    });
  }

  /** Enqueues an `analysis.completed` for a new session, as a feature would (in one batch with its records). */
  async function enqueue(agent: AgentConfig) {
    const s = sessionOp();
    await store.apply([
      s,
      ...webhookOps(agent, { event: "analysis.completed", key: "analysis-1", sessionId: s.session.id, at: Date.now(), data: { score: 4 } }),
    ]);
    return s.session.id;
  }

  const only = async (sessionId: string): Promise<WebhookDelivery | undefined> =>
    (await store.listWebhooks({ sessionId, limit: 10 })).webhooks[0];

  it("a receiver down for its first 3 attempts gets the event once it is up: same id, verified signatures, attempts in the admin API", async () => {
    const hook = await receiver((n) => (n < 3 ? { status: 503 } : { status: 200 }));
    const agent = agentFor(`${hook.url}/hooks`, [`127.0.0.1:${hook.port}`]);
    const sessionId = await enqueue(agent);
    start(agent);
    const delivered = await until(async () => {
      const w = await only(sessionId);
      return w?.status === "delivered" && w;
    }, "delivery");
    expect(hook.received).toHaveLength(4);
    const verifier = new Webhook(SECRET);
    for (const request of hook.received) {
      expect(verifier.verify(request.body, request.headers as Record<string, string>)).toMatchObject({
        type: "analysis.completed",
        data: { score: 4 },
      });
      expect(request.headers["webhook-id"]).toBe(delivered.id);
      expect(request.headers["content-type"]).toBe("application/json");
    }
    expect(delivered.attempts.map((a) => [a.status, a.error])).toEqual([
      [503, "http_error"],
      [503, "http_error"],
      [503, "http_error"],
      [200, null],
    ]);
    // Backoff: each wait at least 0.8 · 40 ms · 2^(n-1).
    const gaps = delivered.attempts.slice(1).map((a, i) => a.at - delivered.attempts[i]!.at);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(0.8 * 40 * 2 ** i - 1));
    // No more attempts after delivery.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hook.received).toHaveLength(4);

    const writer = new BatchingRecordWriter(store, { log: () => {} });
    const { app } = createTestApp({
      agents: [agent],
      records: { store, writer, adminTokens: [{ token: ADMIN, agents: "*" }], defaultRetentionDays: 30 },
    });
    const auth = { authorization: `Bearer ${ADMIN}` };
    const detail = (await (await app.request(`/admin/sessions/${sessionId}`, { headers: auth })).json()) as { webhooks: WebhookDelivery[] };
    expect(detail.webhooks).toEqual([delivered]);
    const listed = (await (await app.request("/admin/webhooks?status=delivered", { headers: auth })).json()) as {
      webhooks: WebhookDelivery[];
    };
    expect(listed.webhooks).toEqual([delivered]);
    await writer.close();
    // The log names the host, never the secret or a signature.
    const logged = JSON.stringify(logs);
    expect(logged).toContain(`127.0.0.1:${hook.port}`);
    expect(logged).not.toContain(SECRET.slice(6, 20));
    expect(logged).not.toContain("v1,");
  });

  it("never follows a redirect: a 3xx is a failed attempt and its target gets nothing", async () => {
    const target = await receiver();
    const hook = await receiver(() => ({ status: 307, headers: { location: `${target.url}/elsewhere` } }));
    const agent = agentFor(`${hook.url}/hooks`, [`127.0.0.1:${hook.port}`, `127.0.0.1:${target.port}`]);
    const sessionId = await enqueue(agent);
    start(agent);
    const w = await until(async () => {
      const d = await only(sessionId);
      return d && d.attempts.length >= 2 && d;
    }, "two attempts");
    expect(w.attempts.slice(0, 2).map((a) => [a.status, a.error])).toEqual([
      [307, "redirect"],
      [307, "redirect"],
    ]);
    expect(w.status).toBe("pending");
    expect(target.received).toEqual([]);
  });

  it("makes no request to an endpoint that resolves to a private address off the agent's toolHosts", async () => {
    const hook = await receiver();
    // localhost resolves to loopback; the listed host is another one.
    const agent = agentFor(`http://localhost:${hook.port}/hooks`, [`127.0.0.1:${hook.port}`]);
    const sessionId = await enqueue(agent);
    start(agent);
    const w = await until(async () => {
      const d = await only(sessionId);
      return d && d.attempts.length >= 2 && d;
    }, "two attempts");
    expect(w.attempts[0]).toMatchObject({ status: null, error: "refused" });
    expect(hook.received).toEqual([]);
  });

  it("ends an attempt at its timeout and tries again", async () => {
    const hook = await receiver((n) => (n === 0 ? "hang" : { status: 204 }));
    const agent = agentFor(`${hook.url}/hooks`, [`127.0.0.1:${hook.port}`]);
    const sessionId = await enqueue(agent);
    start(agent, 300);
    const w = await until(async () => {
      const d = await only(sessionId);
      return d?.status === "delivered" && d;
    }, "delivery");
    expect(w.attempts.map((a) => [a.status, a.error])).toEqual([
      [null, "timeout"],
      [204, null],
    ]);
    expect(w.attempts[0]!.durationMs).toBeGreaterThanOrEqual(290);
    expect(w.attempts[0]!.durationMs).toBeLessThan(2000);
  });

  it("announces a session's end once with a small payload (no message texts), and fails a delivery whose endpoint is no longer configured", async () => {
    const hook = await receiver();
    const agent = agentFor(`${hook.url}/hooks`, [`127.0.0.1:${hook.port}`]);
    const s = sessionOp({ createdAt: Date.now() - 5000 });
    const id = s.session.id;
    await store.apply([
      s,
      { op: "set-status", sessionId: id, status: "active", at: s.session.createdAt + 1000 },
      messageOp(id, { text: "MY SECRET ORDER NUMBER" }),
      { op: "set-status", sessionId: id, status: "completed", at: s.session.createdAt + 4000, reason: "hangup" },
    ]);
    start(agent);
    await until(async () => hook.received.length === 1, "session.ended");
    const request = hook.received[0]!;
    expect(request.body).not.toContain("MY SECRET");
    expect(new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>)).toEqual({
      type: "session.ended",
      timestamp: new Date(s.session.createdAt + 4000).toISOString(),
      data: {
        sessionId: id,
        agent: "demo",
        origin: s.session.origin,
        mode: "cascade",
        status: "completed",
        endReason: "hangup",
        conversationId: null,
        createdAt: s.session.createdAt,
        startedAt: s.session.createdAt + 1000,
        endedAt: s.session.createdAt + 4000,
        durationMs: 4000,
      },
    });
    await worker!.close();
    // The agent's endpoint changes while a delivery is pending: it is failed, not sent.
    const other = await enqueue(agent);
    start({ ...agent, webhooks: { ...agent.webhooks!, endpoints: [{ url: `${hook.url}/new`, events: ["session.ended"] }] } });
    const w = await until(async () => {
      const d = await only(other);
      return d?.status === "failed" && d;
    }, "failed");
    expect(w.attempts).toMatchObject([{ status: null, error: "not_configured" }]);
    expect(hook.received).toHaveLength(1);
  });
});
