import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { MemorySessionRevocations } from "../memory-session-revocations.ts";
import type { SessionRevocations } from "../session-revocations.ts";

/**
 * {@link SessionRevocations} of a relay whose records are in SQLite (one instance): kept in memory for the
 * request path and written through to a `session_revocations` table of the records file, so a restart (with
 * the same `RELAY_TOKEN_SECRET`, when tokens outlive it) does not let a deleted or forgotten session talk
 * again. The table is its own (created if missing, not a records migration): revocations are not records,
 * and rows are dropped once their session has ended. Statements are synchronous and tiny.
 */
export class SqliteSessionRevocations implements SessionRevocations {
  readonly #db: DatabaseSync;
  readonly #cache: MemorySessionRevocations;
  #closed = false;

  /**
   * Opens (and creates) the table in the file at `path` (`:memory:` for tests) and loads the revocations
   * still in force.
   * @param now - clock, epoch ms; default `Date.now`
   */
  constructor(path: string, now: () => number = Date.now) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS session_revocations (session_id TEXT PRIMARY KEY, until_at INTEGER NOT NULL) STRICT`);
    this.#cache = new MemorySessionRevocations(now);
    this.#db.prepare("DELETE FROM session_revocations WHERE until_at <= ?").run(now());
    const rows = this.#db.prepare("SELECT session_id, until_at FROM session_revocations").all() as {
      session_id: string;
      until_at: number;
    }[];
    for (const row of rows) this.#cache.add([row.session_id], row.until_at);
  }

  async revoke(sessionIds: readonly string[], until: number): Promise<void> {
    const insert = this.#db.prepare(
      `INSERT INTO session_revocations (session_id, until_at) VALUES (?, ?)
       ON CONFLICT (session_id) DO UPDATE SET until_at = max(until_at, excluded.until_at)`,
    );
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const id of sessionIds) insert.run(id, until);
      this.#db.exec("COMMIT");
    } catch (err) {
      this.#db.exec("ROLLBACK");
      throw err;
    }
    this.#cache.add(sessionIds, until);
  }

  isRevoked(sessionId: string): boolean {
    return this.#cache.isRevoked(sessionId);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
