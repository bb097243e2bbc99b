import type pg from "pg";
import type { RelayLog } from "../relay-log.ts";
import type { SessionCoordination } from "../session-coordination.ts";
import type { HitResult } from "../window-counter.ts";
import { openPostgresPool } from "./postgres-pool.ts";
import { PostgresSessionRevocations } from "./postgres-session-revocations.ts";

export interface PostgresSessionCoordinationOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** Schema of the tables (created if missing); default the connection's `search_path`. */
  schema?: string;
  /** How often counts and activity are exchanged with the other instances (ms); default 200. */
  syncIntervalMs?: number;
  /** Where a failed exchange is reported (once until one succeeds again). */
  log?: RelayLog;
}

const WINDOW_MS = 60_000;
/**
 * A row written this long (ms, database clock) before the newest one seen may still become visible later
 * (its transaction committed after a read): each read goes back this far, so none is missed.
 */
const COMMIT_WINDOW_MS = 2_000;
/** How often rows of past windows and ended sessions are deleted (ms). */
const PRUNE_INTERVAL_MS = 60_000;
/** Arbitrary key of the advisory lock that serializes the tables' creation across instances. */
const CREATE_LOCK = 7_461_205;
/** The database's clock in epoch ms. */
const DB_NOW = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/** One counter of the current window: what the database had at the last exchange, and what this instance added since. */
interface Count {
  windowStart: number;
  stored: number;
  pending: number;
}

/** One session's idle clock: its last activity anywhere, as known here. */
interface Clock {
  at: number;
  end: number;
  idle: boolean;
  dirty: boolean;
}

/**
 * {@link SessionCoordination} shared by every relay instance on one PostgreSQL database (chosen with
 * `DATABASE_URL=postgres://…`). Requests are counted and sessions touched in this instance's memory, so a
 * request waits for no round trip; every {@link PostgresSessionCoordinationOptions.syncIntervalMs} one
 * exchange adds this instance's new counts to `relay_rate_windows` and its sessions' last activity to
 * `relay_session_activity`, and reads back what every instance wrote since the last exchange. A limit is
 * thus counted once across instances, give or take what the others counted within one interval (a
 * session at its limit is refused by every instance after that), and an idle clock runs from the latest
 * activity on any instance. A failed exchange keeps what is pending for the next one. Minute windows are
 * aligned to the clock (`floor(now / 60 s)`), the same on every instance.
 */
export class PostgresSessionCoordination implements SessionCoordination {
  readonly #pool: pg.Pool;
  /** Revocations: their own table, polled by every instance (`PostgresSessionRevocations`). */
  readonly #revocations: PostgresSessionRevocations;
  readonly #log: RelayLog | undefined;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #counts = new Map<string, Count>();
  readonly #clocks = new Map<string, Clock>();
  /** Newest `updated_at` read (database clock, epoch ms). */
  #seen = 0;
  #prunedAt = 0;
  #syncing: Promise<void> | undefined;
  #failing = false;
  #closed = false;

  private constructor(pool: pg.Pool, revocations: PostgresSessionRevocations, options: PostgresSessionCoordinationOptions) {
    this.#pool = pool;
    this.#revocations = revocations;
    this.#log = options.log;
    this.#timer = setInterval(() => void this.sync(), options.syncIntervalMs ?? 200);
    this.#timer.unref();
  }

  /** Creates the tables if missing, reads the current state, and starts exchanging. */
  static async open(options: PostgresSessionCoordinationOptions): Promise<PostgresSessionCoordination> {
    const pool = await openPostgresPool(options, CREATE_LOCK, [
      `CREATE TABLE IF NOT EXISTS relay_rate_windows (
         key TEXT NOT NULL, window_start BIGINT NOT NULL, count INTEGER NOT NULL, updated_at BIGINT NOT NULL,
         PRIMARY KEY (key, window_start))`,
      "CREATE INDEX IF NOT EXISTS relay_rate_windows_by_update ON relay_rate_windows (updated_at)",
      `CREATE TABLE IF NOT EXISTS relay_session_activity (
         session_id TEXT PRIMARY KEY, last_at BIGINT NOT NULL, end_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
      "CREATE INDEX IF NOT EXISTS relay_session_activity_by_update ON relay_session_activity (updated_at)",
    ]);
    let revocations: PostgresSessionRevocations;
    try {
      revocations = await PostgresSessionRevocations.open(options);
    } catch (err) {
      await pool.end();
      throw err;
    }
    const coordination = new PostgresSessionCoordination(pool, revocations, options);
    await coordination.sync();
    return coordination;
  }

  hit(key: string, now: number, limit: number): HitResult {
    const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    let count = this.#counts.get(key);
    if (!count || count.windowStart < windowStart) {
      count = { windowStart, stored: 0, pending: 0 };
      this.#counts.set(key, count);
    }
    if (count.stored + count.pending >= limit) return { ok: false, retryAfterMs: windowStart + WINDOW_MS - now };
    count.pending++;
    return { ok: true };
  }

  touch(sid: string, now: number, endMs: number, idleTimeoutMs: number): boolean {
    const clock = this.#clocks.get(sid);
    if (clock && (clock.idle || now - clock.at >= idleTimeoutMs)) {
      clock.idle = true;
      return false;
    }
    this.#clocks.set(sid, { at: Math.max(now, clock?.at ?? 0), end: endMs, idle: false, dirty: true });
    return true;
  }

  /** One exchange with the database (also run by the timer); concurrent calls share one. Never rejects. */
  sync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#syncing ??= this.#exchange().finally(() => (this.#syncing = undefined));
    return this.#syncing;
  }

  async #exchange(): Promise<void> {
    const sent = [...this.#counts].filter(([, c]) => c.pending > 0).map(([key, c]) => ({ key, count: c, n: c.pending }));
    const touched = [...this.#clocks].filter(([, c]) => c.dirty);
    for (const { count } of sent) count.pending = 0;
    for (const [, clock] of touched) clock.dirty = false;
    try {
      if (sent.length) {
        const { rows } = await this.#pool.query<{ key: string; window_start: number; count: number }>(
          `INSERT INTO relay_rate_windows (key, window_start, count, updated_at)
           SELECT k, w, n, ${DB_NOW} FROM unnest($1::text[], $2::bigint[], $3::int[]) AS t (k, w, n)
           ON CONFLICT (key, window_start) DO UPDATE SET count = relay_rate_windows.count + EXCLUDED.count, updated_at = EXCLUDED.updated_at
           RETURNING key, window_start, count`,
          [sent.map((s) => s.key), sent.map((s) => s.count.windowStart), sent.map((s) => s.n)],
        );
        for (const row of rows) this.#stored(row.key, row.window_start, row.count);
      }
      if (touched.length) {
        await this.#pool.query(
          `INSERT INTO relay_session_activity (session_id, last_at, end_at, updated_at)
           SELECT s, l, e, ${DB_NOW} FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t (s, l, e)
           ON CONFLICT (session_id) DO UPDATE SET last_at = GREATEST(relay_session_activity.last_at, EXCLUDED.last_at),
             end_at = EXCLUDED.end_at, updated_at = EXCLUDED.updated_at`,
          [touched.map(([sid]) => sid), touched.map(([, c]) => c.at), touched.map(([, c]) => c.end)],
        );
      }
      await this.#read();
      await this.#prune();
      if (this.#failing) this.#log?.({ level: "info", msg: "coordination: the database answers again" });
      this.#failing = false;
    } catch (err) {
      // Not lost: counted again at the next exchange.
      for (const { count, n } of sent) count.pending += n;
      for (const [, clock] of touched) clock.dirty = true;
      if (!this.#failing)
        this.#log?.({
          level: "error",
          msg: "coordination: exchange with the database failed; limits and idle clocks are per instance until it answers",
          error: (err as Error).message,
        });
      this.#failing = true;
    }
  }

  /** Reads what every instance wrote since the last read. */
  async #read(): Promise<void> {
    const since = this.#seen - COMMIT_WINDOW_MS;
    const [counts, clocks] = await Promise.all([
      this.#pool.query<{ key: string; window_start: number; count: number; updated_at: number }>(
        "SELECT key, window_start, count, updated_at FROM relay_rate_windows WHERE updated_at > $1",
        [since],
      ),
      this.#pool.query<{ session_id: string; last_at: number; end_at: number; updated_at: number }>(
        "SELECT session_id, last_at, end_at, updated_at FROM relay_session_activity WHERE updated_at > $1",
        [since],
      ),
    ]);
    for (const row of counts.rows) {
      this.#stored(row.key, row.window_start, row.count);
      this.#seen = Math.max(this.#seen, row.updated_at);
    }
    for (const row of clocks.rows) {
      const clock = this.#clocks.get(row.session_id);
      if (!clock) this.#clocks.set(row.session_id, { at: row.last_at, end: row.end_at, idle: false, dirty: false });
      else if (row.last_at > clock.at) clock.at = row.last_at;
      this.#seen = Math.max(this.#seen, row.updated_at);
    }
  }

  /** The database's count of `key` in the window starting at `windowStart`. */
  #stored(key: string, windowStart: number, stored: number): void {
    const count = this.#counts.get(key);
    if (!count || count.windowStart < windowStart) this.#counts.set(key, { windowStart, stored, pending: 0 });
    else if (count.windowStart === windowStart) count.stored = Math.max(count.stored, stored);
  }

  /** Drops past windows and ended sessions, here every exchange and in the database every minute. */
  async #prune(): Promise<void> {
    const now = Date.now();
    const current = Math.floor(now / WINDOW_MS) * WINDOW_MS;
    for (const [key, count] of this.#counts) if (count.windowStart < current && count.pending === 0) this.#counts.delete(key);
    for (const [sid, clock] of this.#clocks) if (clock.end <= now && !clock.dirty) this.#clocks.delete(sid);
    if (now - this.#prunedAt < PRUNE_INTERVAL_MS) return;
    this.#prunedAt = now;
    await this.#pool.query("DELETE FROM relay_rate_windows WHERE window_start < $1", [current - WINDOW_MS]);
    await this.#pool.query("DELETE FROM relay_session_activity WHERE end_at < $1", [now]);
  }

  revoke(sessionIds: readonly string[], until: number): Promise<void> {
    return this.#revocations.revoke(sessionIds, until);
  }

  isRevoked(sessionId: string): boolean {
    return this.#revocations.isRevoked(sessionId);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    await this.#syncing;
    await this.sync();
    this.#closed = true;
    await Promise.all([this.#pool.end(), this.#revocations.close()]);
  }

  /** Drops the schema given to {@link open} with everything in it (tests). */
  async dropSchema(schema: string): Promise<void> {
    await this.#pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}
