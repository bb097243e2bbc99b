import { createStandin } from "@voice-agent/standin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionResponse, SessionReport } from "../protocol.ts";
import { createTestApp, TEST_ORIGIN, testAgent, testUpstreams } from "../../test/fixtures.ts";
import { listen, silentWav } from "../../test/servers.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

const ADMIN = "admin-token-all-agents-0123456789";

describe("a deleted, forgotten or ended session is revoked", () => {
  const standin = createStandin({ latency: { llmFirstTokenMs: 1, llmPerTokenMs: 1 } });
  let close: () => Promise<void>;
  let app: ReturnType<typeof createTestApp>["app"];

  beforeAll(async () => {
    const upstream = await listen(standin.app.fetch);
    close = upstream.close;
    const store = new SqliteSessionStore(":memory:");
    await store.migrate();
    const writer = new BatchingRecordWriter(store, { flushIntervalMs: 60_000, log: () => {} });
    app = createTestApp({
      upstreams: testUpstreams(`${upstream.url}/v1`),
      records: { store, writer, defaultRetentionDays: 30, adminTokens: [{ token: ADMIN, agents: "*" }] },
    }).app;
  });
  afterAll(() => close());

  const createSession = async (visitorId?: string) => {
    const res = await app.request("/v1/sessions", {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ agent: testAgent.id, ...(visitorId ? { visitorId } : {}) }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as CreateSessionResponse;
  };
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, origin: TEST_ORIGIN });
  const json = (token: string) => ({ ...auth(token), "content-type": "application/json" });
  const report = (token: string, reports: SessionReport[]) =>
    app.request("/v1/session-events", { method: "POST", headers: json(token), body: JSON.stringify({ reports }) });
  /** Every request a session's token can make, by name. */
  const requests: Record<string, (token: string) => Response | Promise<Response>> = {
    chat: (token) =>
      app.request("/v1/chat/completions", {
        method: "POST",
        headers: json(token),
        body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "Hello" }] }),
      }),
    speech: (token) => app.request("/v1/audio/speech", { method: "POST", headers: json(token), body: JSON.stringify({ input: "Hello" }) }),
    transcription: (token) => {
      const form = new FormData();
      form.append("file", silentWav(1), "utterance.wav");
      return app.request("/v1/audio/transcriptions", { method: "POST", headers: auth(token), body: form });
    },
    refresh: (token) => app.request("/v1/sessions/refresh", { method: "POST", headers: auth(token) }),
    realtime: (token) => app.request("/v1/realtime/client_secrets", { method: "POST", headers: auth(token) }),
    report: (token) => report(token, [{ type: "state", state: "listening" }]),
    forget: (token) => app.request("/v1/visitor", { method: "DELETE", headers: auth(token) }),
  };

  /** Every route refuses `token` with 401 `session_revoked`. */
  const expectRevoked = async (token: string) => {
    const answers: Record<string, unknown> = {};
    for (const [name, request] of Object.entries(requests)) {
      const res = await request(token);
      answers[name] = { status: res.status, code: ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code };
    }
    const revoked = { status: 401, code: "session_revoked" };
    expect(answers).toEqual(Object.fromEntries(Object.keys(requests).map((name) => [name, revoked])));
  };
  /** `token` still works: a chat reply streams and a report is accepted. */
  const expectWorks = async (token: string) => {
    const reply = await requests.chat!(token);
    expect(reply.status).toBe(200);
    await reply.text();
    expect((await report(token, [{ type: "state", state: "listening" }])).status).toBe(202);
  };

  it("after DELETE /admin/sessions/:id", async () => {
    const [deleted, other] = [await createSession(), await createSession()];
    await expectWorks(deleted.token);
    const res = await app.request(`/admin/sessions/${deleted.sessionId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(204);
    await expectRevoked(deleted.token);
    await expectWorks(other.token);
  });

  it("after forget me: every session of the visitor, the one that asked included", async () => {
    const visitorId = crypto.randomUUID();
    const [earlier, asking, stranger] = [
      await createSession(visitorId),
      await createSession(visitorId),
      await createSession(crypto.randomUUID()),
    ];
    const res = await app.request("/v1/visitor", { method: "DELETE", headers: auth(asking.token) });
    expect(await res.json()).toEqual({ deletedSessions: 2 });
    await expectRevoked(earlier.token);
    await expectRevoked(asking.token);
    await expectWorks(stranger.token);
  });

  it("after the widget's end report, and the refreshed token with it", async () => {
    const [ended, other] = [await createSession(), await createSession()];
    const refreshed = (await (await requests.refresh!(ended.token)).json()) as { token: string };
    expect(
      (
        await report(ended.token, [
          { type: "state", state: "idle" },
          { type: "end", reason: "hangup" },
        ])
      ).status,
    ).toBe(202);
    await expectRevoked(ended.token);
    await expectRevoked(refreshed.token);
    await expectWorks(other.token);
  });
});
