import { resolve } from "node:path";
import { envInteger } from "../env-integer.ts";
import { configError, isProduction } from "../relay-config.ts";
import type { AdminToken } from "./admin-auth.ts";

/** Where records are stored. */
export type RecordsDatabase = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** Records settings of the Node entry, from the environment (see the relay README). */
export interface RecordsConfig {
  /** `DATABASE_URL`: unset → SQLite at `<relay>/data/records.sqlite`; `file:<path>` → SQLite; `postgres://…` → PostgreSQL. */
  database: RecordsDatabase;
  /** `ADMIN_TOKEN` (every agent) and `ADMIN_AGENT_TOKENS` (`agent=token,…`, one agent each). */
  adminTokens: AdminToken[];
  /** `RECORDS_FLUSH_MS`: batching window of queued writes, default 200 ms. */
  flushIntervalMs: number;
  /** `RECORDS_RETENTION_DAYS`: for agents without `retentionDays`, default 30. */
  defaultRetentionDays: number;
  /** `RECORDS_MAINTENANCE_SECONDS`: how often lapsed sessions time out and the purge runs, default 60 s. */
  maintenanceIntervalMs: number;
  /** Post-session analysis timing (agents with `analysis`), in ms. */
  analysis: {
    /** `ANALYSIS_POLL_MS`: how often due analyses are claimed, default 5000. */
    pollMs: number;
    /** `ANALYSIS_SETTLE_MS`: how long after its end a session waits for its last records, default 5000. */
    settleMs: number;
    /** `ANALYSIS_RETRY_BASE_MS`: first retry's delay (doubling, at most an hour), default 30000. */
    retryBaseMs: number;
  };
  /** The webhook delivery worker's timing. */
  webhooks: {
    /** `WEBHOOK_POLL_MS`: how often the outbox is read, default 1000 ms. */
    pollMs: number;
    /** `WEBHOOK_BACKOFF_MS`: delay after a first failed attempt, doubling up to 1 h, default 5000 ms. */
    backoffBaseMs: number;
    /** `WEBHOOK_TIMEOUT_MS`: longest attempt, default 10 000 ms. */
    timeoutMs: number;
  };
}

/** Shortest accepted admin token, in characters. */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

/**
 * Resolves the records settings from the environment. In production (`NODE_ENV=production`) an admin token
 * (`ADMIN_TOKEN`, or `ADMIN_AGENT_TOKENS`) is required: the relay always records, and the records are
 * read through the admin API.
 *
 * @param packageDir - absolute path of the relay package (default SQLite location)
 * @throws Error listing every invalid variable and what to set instead
 */
export function resolveRecordsConfig(env: Record<string, string | undefined>, packageDir: string): RecordsConfig {
  const problems: string[] = [];
  const url = env.DATABASE_URL || "";
  let database: RecordsDatabase = { kind: "sqlite", path: resolve(packageDir, "data/records.sqlite") };
  if (/^postgres(ql)?:\/\//.test(url)) database = { kind: "postgres", url };
  else if (url.startsWith("file:")) {
    const path = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    database = { kind: "sqlite", path: path === ":memory:" ? path : resolve(path) };
  } else if (url) problems.push("DATABASE_URL must be file:<path> (SQLite) or postgres://user:password@host:port/db");

  const adminTokens: AdminToken[] = [];
  const checkToken = (name: string, token: string) => {
    if (token.length < MIN_ADMIN_TOKEN_LENGTH)
      problems.push(`${name}: admin tokens need at least ${MIN_ADMIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 24)`);
  };
  if (env.ADMIN_TOKEN) {
    checkToken("ADMIN_TOKEN", env.ADMIN_TOKEN);
    adminTokens.push({ token: env.ADMIN_TOKEN, agents: "*" });
  }
  for (const pair of (env.ADMIN_AGENT_TOKENS ?? "").split(",").filter(Boolean)) {
    const [agent, token] = pair.split("=", 2).map((s) => s.trim());
    if (!agent || !token) {
      problems.push(`ADMIN_AGENT_TOKENS: expected agent=token pairs separated by commas, got "${pair.slice(0, 20)}…"`);
      continue;
    }
    checkToken(`ADMIN_AGENT_TOKENS (${agent})`, token);
    adminTokens.push({ token, agents: [agent] });
  }

  if (adminTokens.length === 0 && isProduction(env)) {
    problems.push(
      "ADMIN_TOKEN is not set: production (NODE_ENV=production) needs it (or ADMIN_AGENT_TOKENS) to read the session records; make one with openssl rand -hex 24",
    );
  }

  const flushIntervalMs = envInteger(env, "RECORDS_FLUSH_MS", 200, 1, 60_000, problems);
  const defaultRetentionDays = envInteger(env, "RECORDS_RETENTION_DAYS", 30, 1, 3650, problems);
  const maintenanceSeconds = envInteger(env, "RECORDS_MAINTENANCE_SECONDS", 60, 1, 86_400, problems);
  const analysis = {
    pollMs: envInteger(env, "ANALYSIS_POLL_MS", 5000, 10, 3_600_000, problems),
    settleMs: envInteger(env, "ANALYSIS_SETTLE_MS", 5000, 0, 3_600_000, problems),
    retryBaseMs: envInteger(env, "ANALYSIS_RETRY_BASE_MS", 30_000, 10, 3_600_000, problems),
  };
  const webhooks = {
    pollMs: envInteger(env, "WEBHOOK_POLL_MS", 1000, 10, 60_000, problems),
    backoffBaseMs: envInteger(env, "WEBHOOK_BACKOFF_MS", 5000, 10, 3_600_000, problems),
    timeoutMs: envInteger(env, "WEBHOOK_TIMEOUT_MS", 10_000, 100, 60_000, problems),
  };
  if (problems.length > 0) throw configError("records configuration", problems);
  return {
    database,
    adminTokens,
    flushIntervalMs,
    defaultRetentionDays,
    maintenanceIntervalMs: maintenanceSeconds * 1000,
    analysis,
    webhooks,
  };
}
