/**
 * The relay for the benchmarks, in its own process, in front of the stand-in at `UPSTREAM`. Session
 * records are on, as in production (`main.ts`), in a throwaway SQLite file, or in `DATABASE_URL` when set
 * (a PostgreSQL URL also shares budgets between instances, as in production); `RECORDS=0` turns them off.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app.ts";
import { openRecords } from "../src/records/open-records.ts";
import { resolveRecordsConfig } from "../src/records/records-config.ts";
import { serveRelay } from "../src/serve-relay.ts";
import { testAgent, testUpstreams } from "../test/fixtures.ts";

const closing = new AbortController();
const agent = { ...testAgent, limits: { ...testAgent.limits, requestsPerMinute: 1_000_000 } };
const dir = mkdtempSync(join(tmpdir(), "relay-bench-"));
const records =
  process.env.RECORDS === "0"
    ? undefined
    : await openRecords(
        resolveRecordsConfig({ DATABASE_URL: process.env.DATABASE_URL ?? `file:${join(dir, "records.sqlite")}` }, dir),
        [agent],
        () => {},
      );
const app = createApp({
  agents: [agent],
  upstreams: testUpstreams(process.env.UPSTREAM),
  tokenSecret: "bench-secret-0123456789abcdef0123456789",
  tokenTtlMs: 600_000,
  sessionsPerIpPerMinute: 1_000_000,
  closing: closing.signal,
  log: () => {},
  records: records?.options,
  coordination: records?.coordination,
});
await serveRelay(app, { port: Number(process.env.PORT), hostname: "127.0.0.1", log: () => {}, closing });
process.once("SIGTERM", () => {
  void records?.close().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
  if (!records) process.exit(0);
});
console.log("ready");
