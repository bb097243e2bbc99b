import { createStandin } from "@voice-agent/standin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "../protocol.ts";
import { createTestApp, TEST_ORIGIN, testAgent, testUpstreams } from "../../test/fixtures.ts";
import { listen } from "../../test/servers.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import { PostgresSessionCoordination } from "./postgres-session-coordination.ts";
import { PostgresSessionStore } from "./postgres-session-store.ts";

const pgUrl = process.env.DATABASE_URL_TEST;
if (!pgUrl && process.env.CI === "true")
  throw new Error("DATABASE_URL_TEST is not set: .ci/run must start PostgreSQL (bash .ci/postgres.sh) and export it.");
if (!pgUrl) console.warn("Session revocation across instances SKIPPED: no server. Run: export DATABASE_URL_TEST=$(bash .ci/postgres.sh)");

/** Two relay instances on one PostgreSQL database: what one revokes, the other refuses within 1 s. */
describe.skipIf(!pgUrl)("session revocation across two relay instances on one PostgreSQL database", () => {
  const schema = `revocation_instances_${process.pid}`;
  const standin = createStandin({ latency: { llmFirstTokenMs: 1, llmPerTokenMs: 1 } });
  const closers: (() => Promise<void>)[] = [];
  let a: ReturnType<typeof createTestApp>["app"];
  let b: ReturnType<typeof createTestApp>["app"];

  const instance = async (upstreamUrl: string) => {
    const store = new PostgresSessionStore({ connectionString: pgUrl!, schema });
    await store.migrate();
    const writer = new BatchingRecordWriter(store, { flushIntervalMs: 50, log: () => {} });
    const coordination = await PostgresSessionCoordination.open({ connectionString: pgUrl!, schema });
    closers.push(async () => (await writer.close(), await coordination.close(), await store.close()));
    return createTestApp({
      upstreams: testUpstreams(`${upstreamUrl}/v1`),
      coordination,
      records: { store, writer, defaultRetentionDays: 30, adminTokens: [] },
    }).app;
  };

  beforeAll(async () => {
    const upstream = await listen(standin.app.fetch);
    closers.push(upstream.close);
    a = await instance(upstream.url);
    b = await instance(upstream.url);
  });
  afterAll(async () => {
    const drop = new PostgresSessionStore({ connectionString: pgUrl!, schema });
    for (const close of closers.reverse()) await close();
    await drop.dropSchema();
    await drop.close();
  });

  const chat = (app: typeof a, token: string) =>
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "Hello" }] }),
    });

  it("a visitor forgotten on instance A is refused on instance B within 1 s", async () => {
    const res = await a.request("/v1/sessions", {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ agent: testAgent.id, visitorId: crypto.randomUUID() }),
    });
    const session = (await res.json()) as CreateSessionResponse;
    const before = await chat(b, session.token);
    expect(before.status).toBe(200);
    await before.text();

    const forgotten = await a.request("/v1/visitor", {
      method: "DELETE",
      headers: { authorization: `Bearer ${session.token}`, origin: TEST_ORIGIN },
    });
    expect(await forgotten.json()).toEqual({ deletedSessions: 1 });
    const start = performance.now();
    let answer: Response;
    for (;;) {
      answer = await chat(b, session.token);
      if (answer.status !== 200 || performance.now() - start > 1500) break;
      await answer.text();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const elapsed = performance.now() - start;
    expect({ status: answer.status, body: await answer.json() }).toEqual({
      status: 401,
      body: { error: { code: "session_revoked", message: expect.any(String) } },
    });
    expect(elapsed).toBeLessThan(1000);
  });
});
