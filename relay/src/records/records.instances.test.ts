/**
 * Two relay apps on one PostgreSQL store, as two instances behind a load balancer: what one instance
 * records is completed by what the other receives.
 */
import { createStandin } from "@voice-agent/standin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "../protocol.ts";
import { RECORD_ID_HEADER, TURN_ID_HEADER } from "../protocol.ts";
import { createTestApp, TEST_ORIGIN, testAgent, testUpstreams } from "../../test/fixtures.ts";
import { listen, silentWav } from "../../test/servers.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import { PostgresSessionCoordination } from "./postgres-session-coordination.ts";
import { PostgresSessionStore } from "./postgres-session-store.ts";

const pgUrl = process.env.DATABASE_URL_TEST;

describe.runIf(pgUrl)("two relay instances on one PostgreSQL store", () => {
  const standin = createStandin({ latency: { llmFirstTokenMs: 5, llmPerTokenMs: 5 } });
  const stores: PostgresSessionStore[] = [];
  let close: () => Promise<void>;
  let a: ReturnType<typeof createTestApp>["app"];
  let b: ReturnType<typeof createTestApp>["app"];
  let reader: PostgresSessionStore;

  beforeAll(async () => {
    const upstream = await listen(standin.app.fetch);
    close = upstream.close;
    const schema = `instances_${process.pid}`;
    const instance = async () => {
      const store = new PostgresSessionStore({ connectionString: pgUrl!, schema });
      await store.migrate();
      stores.push(store);
      const writer = new BatchingRecordWriter(store, { flushIntervalMs: 50, log: () => {} });
      return createTestApp({
        upstreams: testUpstreams(`${upstream.url}/v1`),
        records: { store, writer, defaultRetentionDays: 30, adminTokens: [] },
      }).app;
    };
    a = await instance();
    b = await instance();
    reader = stores[0]!;
  });
  afterAll(async () => {
    await stores[0]?.dropSchema();
    await Promise.all(stores.map((s) => s.close()));
    await close();
  });

  it("counts a session's requests once: at its per-minute limit it is refused whichever instance it reaches", async () => {
    const schema = `instances_limits_${process.pid}`;
    const open = () => PostgresSessionCoordination.open({ connectionString: pgUrl!, schema, syncIntervalMs: 50 });
    const [one, two] = [await open(), await open()];
    const agent = { ...testAgent, limits: { ...testAgent.limits, requestsPerMinute: 4 } };
    const [x, y] = [one, two].map((coordination) => createTestApp({ agents: [agent], coordination }).app);
    try {
      const created = await x!.request("/v1/sessions", {
        method: "POST",
        headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
        body: '{"agent":"demo"}',
      });
      const { token } = (await created.json()) as CreateSessionResponse;
      const refresh = (app: typeof x) =>
        app!.request("/v1/sessions/refresh", { method: "POST", headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN } });
      for (let i = 0; i < 4; i++) expect((await refresh(i % 2 ? x : y)).status).toBe(200);
      // Within one exchange interval of the other instance's last request (50 ms here, 200 ms by default).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await refresh(x)).status).toBe(429);
      expect((await refresh(y)).status).toBe(429);
    } finally {
      await one.dropSchema(schema);
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("a barge-in report that reaches the other instance while the reply still streams keeps its heard text", async () => {
    const created = await a.request("/v1/sessions", {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: '{"agent":"demo"}',
    });
    const session = (await created.json()) as CreateSessionResponse;
    const headers = { authorization: `Bearer ${session.token}`, origin: TEST_ORIGIN, "content-type": "application/json" };
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const res = await a.request("/v1/chat/completions", {
      method: "POST",
      headers,
      body: JSON.stringify({ stream: true, messages: [{ role: "user", content: words }] }),
    });
    const recordId = res.headers.get(RECORD_ID_HEADER)!;
    const stream = res.body!.getReader();
    await stream.read();
    const reported = await b.request("/v1/session-events", {
      method: "POST",
      headers,
      body: JSON.stringify({ reports: [{ type: "interruption", messageId: recordId, heardText: "You said", playedMs: 400 }] }),
    });
    expect(reported.status).toBe(202);
    await stream.cancel();
    await expect
      .poll(async () => (await reader.getSession(session.sessionId))?.messages.find((m) => m.id === recordId), { timeout: 3000 })
      .toMatchObject({ role: "assistant", interrupted: true, heardText: "You said" });
  });

  it("a speculative turn whose commit report reaches the other instance is recorded by the one that held it", async () => {
    const created = await a.request("/v1/sessions", {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: '{"agent":"demo"}',
    });
    const session = (await created.json()) as CreateSessionResponse;
    const auth = { authorization: `Bearer ${session.token}`, origin: TEST_ORIGIN, [TURN_ID_HEADER]: "turn-held-on-a" };
    const form = new FormData();
    form.append("file", silentWav(1), "utterance.wav");
    form.append("speculative", "true");
    const { text } = (await (await a.request("/v1/audio/transcriptions", { method: "POST", headers: auth, body: form })).json()) as {
      text: string;
    };
    const reply = await a.request("/v1/chat/completions", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ stream: true, speculative: true, messages: [{ role: "user", content: text }] }),
    });
    expect(await reply.text()).toContain("[DONE]");
    const reported = await b.request("/v1/session-events", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ reports: [{ type: "turn-committed", turnId: "turn-held-on-a" }] }),
    });
    expect(reported.status).toBe(202);
    await expect
      .poll(async () => (await reader.getSession(session.sessionId))?.messages.map((m) => [m.role, m.utteranceId, m.audioDurationMs]), {
        timeout: 5000,
      })
      .toEqual([
        ["user", "turn-held-on-a", 1000],
        ["assistant", "turn-held-on-a", null],
      ]);
  });
});
