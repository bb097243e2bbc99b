import type pg from "pg";
import { MemorySessionRevocations } from "../memory-session-revocations.ts";
import type { RelayLog } from "../relay-log.ts";
import type { SessionRevocations } from "../session-revocations.ts";
import { openPostgresPool } from "./postgres-pool.ts";

export interface PostgresSessionRevocationsOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** Schema of the table (created if missing); default the connection's `search_path`. */
  schema?: string;
  /** How often new revocations of other instances are read (ms); default 500, at most 1000. */
  pollIntervalMs?: number;
  /** Clock, epoch ms; default `Date.now`. */
  now?: () => number;
  /** Where a failed poll is reported (once until one succeeds again). */
  log?: RelayLog;
}

/**
 * A row written this long (ms, database clock) before the newest one seen may still become visible later
 * (its transaction committed after a poll): each poll reads back this window, so none is missed.
 */
const COMMIT_WINDOW_MS = 5_000;
/** How often rows past their session's end are deleted (ms). */
const PRUNE_INTERVAL_MS = 60_000;
/** Arbitrary key of the advisory lock that serializes the table's creation across instances. */
const CREATE_LOCK = 7_461_204;

interface RevocationRow {
  session_id: string;
  until_at: number;
  revoked_at: number;
}

/**
 * {@link SessionRevocations} shared by every relay instance on one PostgreSQL database (chosen with
 * `DATABASE_URL=postgres://…`). `revoke` inserts into a `session_revocations` table (its own, created if
 * missing, not a records migration) and fills this instance's cache at once; every instance polls for rows
 * newer than the newest it has seen (one indexed query per {@link PostgresSessionRevocationsOptions.pollIntervalMs},
 * unref'd timer), so `isRevoked` costs no round trip and a revocation reaches every instance within a
 * poll interval. A failed poll keeps the cache and is retried on the next tick. Rows are dropped once
 * past their `until`.
 */
export class PostgresSessionRevocations implements SessionRevocations {
  readonly #pool: pg.Pool;
  readonly #cache: MemorySessionRevocations;
  readonly #now: () => number;
  readonly #log: RelayLog | undefined;
  readonly #timer: ReturnType<typeof setInterval>;
  /** Newest `revoked_at` seen (database clock, epoch ms). */
  #seen = 0;
  #prunedAt = 0;
  #polling: Promise<void> | undefined;
  #failing = false;
  #closing: Promise<void> | undefined;

  private constructor(pool: pg.Pool, options: PostgresSessionRevocationsOptions) {
    this.#pool = pool;
    this.#now = options.now ?? Date.now;
    this.#log = options.log;
    this.#cache = new MemorySessionRevocations(this.#now);
    const interval = options.pollIntervalMs ?? 500;
    if (!(interval > 0 && interval <= 1000)) throw new RangeError(`pollIntervalMs must be 1…1000 ms, got ${interval}.`);
    this.#timer = setInterval(() => void this.poll(), interval);
    this.#timer.unref();
  }

  /** Connects, creates the table if missing, loads the revocations in force and starts polling. */
  static async open(options: PostgresSessionRevocationsOptions): Promise<PostgresSessionRevocations> {
    const pool = await openPostgresPool(options, CREATE_LOCK, [
      `CREATE TABLE IF NOT EXISTS session_revocations (
         session_id TEXT PRIMARY KEY,
         until_at BIGINT NOT NULL,
         revoked_at BIGINT NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint)`,
      "CREATE INDEX IF NOT EXISTS session_revocations_by_time ON session_revocations (revoked_at)",
    ]);
    const revocations = new PostgresSessionRevocations(pool, options);
    try {
      await revocations.#read(true);
    } catch (err) {
      await revocations.close();
      throw err;
    }
    return revocations;
  }

  async revoke(sessionIds: readonly string[], until: number): Promise<void> {
    if (sessionIds.length === 0) return;
    // A revocation again moves the row's revoked_at, so every instance reads it (again) on its next poll.
    await this.#pool.query(
      `INSERT INTO session_revocations (session_id, until_at) SELECT unnest($1::text[]), $2
       ON CONFLICT (session_id) DO UPDATE SET until_at = GREATEST(session_revocations.until_at, excluded.until_at),
         revoked_at = excluded.revoked_at`,
      [sessionIds, until],
    );
    this.#cache.add(sessionIds, until);
  }

  isRevoked(sessionId: string): boolean {
    return this.#cache.isRevoked(sessionId);
  }

  /** Reads the revocations written since the last poll (what the timer runs); never rejects. */
  poll(): Promise<void> {
    if (this.#closing) return Promise.resolve();
    this.#polling ??= this.#read(false)
      .then(() => {
        if (this.#failing) this.#log?.({ level: "info", msg: "session revocations: polling PostgreSQL again" });
        this.#failing = false;
      })
      .catch((err: unknown) => {
        if (!this.#failing)
          this.#log?.({ level: "error", msg: "session revocations: polling PostgreSQL failed; retrying", error: String(err) });
        this.#failing = true;
      })
      .finally(() => (this.#polling = undefined));
    return this.#polling;
  }

  async #read(all: boolean): Promise<void> {
    const { rows } = all
      ? await this.#pool.query<RevocationRow>("SELECT session_id, until_at, revoked_at FROM session_revocations WHERE until_at > $1", [
          this.#now(),
        ])
      : await this.#pool.query<RevocationRow>("SELECT session_id, until_at, revoked_at FROM session_revocations WHERE revoked_at > $1", [
          this.#seen - COMMIT_WINDOW_MS,
        ]);
    for (const row of rows) {
      this.#cache.add([row.session_id], row.until_at);
      if (row.revoked_at > this.#seen) this.#seen = row.revoked_at;
    }
    if (all && rows.length === 0) {
      const {
        rows: [clock],
      } = await this.#pool.query<{ now: number }>("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now");
      this.#seen = clock?.now ?? 0;
    }
    const now = this.#now();
    if (now - this.#prunedAt >= PRUNE_INTERVAL_MS) {
      this.#prunedAt = now;
      await this.#pool.query("DELETE FROM session_revocations WHERE until_at <= $1", [now]);
    }
  }

  async close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      await this.#polling;
      await this.#pool.end();
    })();
    return this.#closing;
  }

  /** Drops the table's schema (tests only). */
  async dropSchema(schema: string): Promise<void> {
    await this.#pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}
