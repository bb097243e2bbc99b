/**
 * Records benchmark (not a test): write throughput, the latency recording adds to proxied requests
 * (with vs without records, same run), and list query time over 100k sessions — for SQLite and
 * PostgreSQL. PostgreSQL comes from DATABASE_URL_TEST or `.ci/postgres.sh`. Run: pnpm --filter @voice-agent/relay bench
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createStandin } from "@voice-agent/standin";
import type { BenchRow } from "../../scripts/bench-report.ts";
import { writeBenchResults } from "../../scripts/bench-report.ts";
import { BatchingRecordWriter } from "../src/records/batching-record-writer.ts";
import { PostgresSessionStore } from "../src/records/postgres-session-store.ts";
import { messageOp, sessionOp } from "../test/record-fixtures.ts";
import type { RecordsOptions } from "../src/records/records-options.ts";
import type { SessionStore } from "../src/records/session-store.ts";
import { SqliteSessionStore } from "../src/records/sqlite-session-store.ts";
import { createTestApp, TEST_ORIGIN, testUpstreams } from "../test/fixtures.ts";
import { listen, silentWav } from "../test/servers.ts";

const MESSAGES = 20_000;
const REQUESTS = 150;
const LIST_SESSIONS = 100_000;
const quiet = () => {};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

function postgresUrl(): string | undefined {
  if (process.env.DATABASE_URL_TEST) return process.env.DATABASE_URL_TEST;
  try {
    return execFileSync("bash", [fileURLToPath(new URL("../../.ci/postgres.sh", import.meta.url))], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

const dir = mkdtempSync(join(tmpdir(), "records-bench-"));
const pgUrl = postgresUrl();
const stores: [string, () => Promise<SessionStore & { dispose?: () => Promise<void> }>][] = [
  [
    "sqlite",
    async () => {
      const store = new SqliteSessionStore(join(dir, `${Math.random()}.sqlite`));
      await store.migrate();
      return store;
    },
  ],
];
if (pgUrl) {
  let n = 0;
  stores.push([
    "postgres",
    async () => {
      const store = new PostgresSessionStore({ connectionString: pgUrl, schema: `bench_${process.pid}_${n++}` });
      await store.migrate();
      return Object.assign(store, { dispose: () => store.dropSchema() });
    },
  ]);
} else console.warn("records bench: no PostgreSQL (set DATABASE_URL_TEST); PostgreSQL rows skipped");

const rows: BenchRow[] = [];

// 1. Write throughput through the batching writer.
for (const [name, open] of stores) {
  const store = await open();
  const sessions = Array.from({ length: 200 }, () => sessionOp());
  await store.apply(sessions);
  const writer = new BatchingRecordWriter(store, { flushIntervalMs: 50, log: quiet });
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++)
    writer.enqueue(messageOp(sessions[i % sessions.length]!.session.id, { text: `message ${i} with some ordinary length of spoken text` }));
  await writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  rows.push({
    name: `records write throughput (${name})`,
    unit: "msg/s",
    value: MESSAGES / seconds,
    note: `${MESSAGES} messages, batches of ≤1000, one transaction each`,
  });
  await store.dispose?.();
  await store.close();
}

// 2. Latency recording adds to proxied requests: same app, same upstream, with and without records.
const standin = createStandin({ latency: { llmFirstTokenMs: 0, llmPerTokenMs: 0 } });
const upstream = await listen(standin.app.fetch);
const upstreams = testUpstreams(`${upstream.url}/v1`);
const wav = silentWav(1);

async function measure(records: RecordsOptions | undefined) {
  const { app } = createTestApp({ upstreams, ...(records ? { records } : {}) });
  const created = await app.request("/v1/sessions", {
    method: "POST",
    headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
    body: JSON.stringify({ agent: "demo" }),
  });
  const { token } = (await created.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, origin: TEST_ORIGIN };
  const chat: number[] = [];
  const stt: number[] = [];
  for (let i = 0; i < REQUESTS + 10; i++) {
    const form = new FormData();
    form.append("file", wav, "u.wav");
    let t0 = performance.now();
    await (await app.request("/v1/audio/transcriptions", { method: "POST", headers, body: form })).json();
    if (i >= 10) stt.push(performance.now() - t0);
    t0 = performance.now();
    const res = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "What are your opening hours on Sunday?" }] }),
    });
    await res.text();
    if (i >= 10) chat.push(performance.now() - t0);
  }
  return { chat: percentile(chat, 95), stt: percentile(stt, 95), chat50: percentile(chat, 50), stt50: percentile(stt, 50) };
}

const baseline = await measure(undefined);
for (const [name, open] of stores) {
  const store = await open();
  const writer = new BatchingRecordWriter(store, { log: quiet });
  const withRecords = await measure({ store, writer, adminTokens: [], defaultRetentionDays: 30 });
  await writer.close();
  rows.push({
    name: `chat reply until [DONE] p95, recorded (${name})`,
    unit: "ms",
    value: withRecords.chat,
    baseline: baseline.chat,
    note: `${REQUESTS} sequential streams via app.request, stand-in upstream without delay; baseline: no records. The reply is committed before [DONE]`,
  });
  rows.push({ name: `chat reply until [DONE] p50, recorded (${name})`, unit: "ms", value: withRecords.chat50, baseline: baseline.chat50 });
  rows.push({ name: `transcription p50, recorded (${name})`, unit: "ms", value: withRecords.stt50, baseline: baseline.stt50 });
  rows.push({
    name: `transcription p95, recorded (${name})`,
    unit: "ms",
    value: withRecords.stt,
    baseline: baseline.stt,
    note: "the transcript is committed before the response; baseline: no records",
  });
  await store.dispose?.();
  await store.close();
}
await upstream.close();

// 3. List queries over 100k sessions.
for (const [name, open] of stores) {
  const store = await open();
  const start = Date.now() - LIST_SESSIONS * 1000;
  for (let i = 0; i < LIST_SESSIONS; i += 5000) {
    await store.apply(
      Array.from({ length: 5000 }, (_, j) =>
        sessionOp({
          createdAt: start + (i + j) * 1000,
          agent: (i + j) % 4 === 0 ? "sales" : "demo",
          status: (i + j) % 10 === 0 ? "active" : "pending",
        }),
      ),
    );
  }
  const time = async (query: Parameters<SessionStore["listSessions"]>[0]) => {
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      await store.listSessions(query);
      samples.push(performance.now() - t0);
    }
    return percentile(samples, 50);
  };
  const page2 = (await store.listSessions({ limit: 50, agents: ["sales"] })).nextCursor!;
  rows.push({ name: `list newest 50 of 100k sessions p50 (${name})`, unit: "ms", value: await time({ limit: 50 }) });
  rows.push({
    name: `list agent+status filter, 50 of 100k p50 (${name})`,
    unit: "ms",
    value: await time({ limit: 50, agents: ["sales"], status: "pending" }),
  });
  rows.push({
    name: `list next page by cursor, 100k p50 (${name})`,
    unit: "ms",
    value: await time({ limit: 50, agents: ["sales"], cursor: page2 }),
  });
  await store.dispose?.();
  await store.close();
}

rmSync(dir, { recursive: true, force: true });
await writeBenchResults("records", rows);
