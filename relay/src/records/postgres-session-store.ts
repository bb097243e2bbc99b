import pg from "pg";
import type { RecordOp } from "./record-op.ts";
import { phaseOrder } from "./record-op.ts";
import { analysisFromRow, eventFromRow, listItemFromRow, messageFromRow, sessionFromRow } from "./record-rows.ts";
import { decodeCursor, encodeCursor } from "./session-cursor.ts";
import type { SessionDetail } from "./session-record.ts";
import { predecessorsOf } from "./session-status.ts";
import type { AnalysisClaim, PurgeRules, SessionPage, SessionQuery, SessionSelector, SessionStore } from "./session-store.ts";
import { postgresClaimAnalyses, postgresSetAnalyses } from "./postgres-analyses.ts";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.ts";
import { pgTypes } from "./postgres-pool.ts";
import {
  postgresAnnounceEndings,
  postgresClaimWebhooks,
  postgresEnqueueWebhooks,
  postgresListWebhooks,
  postgresRecordWebhookAttempt,
} from "./postgres-webhook-outbox.ts";
import type { SessionRecord } from "./session-record.ts";
import type { ClaimedWebhook, NewWebhookDelivery, WebhookAttempt, WebhookNext, WebhookPage, WebhookQuery } from "./webhook-outbox.ts";

export interface PostgresSessionStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** Schema for the tables (created by `migrate`); default the connection's `search_path`. */
  schema?: string;
  /** Pool size, default 5. */
  maxConnections?: number;
}

/** Rows deleted per statement by purges. */
const DELETE_CHUNK = 2000;
/** Arbitrary key of the advisory lock that serializes migrations across relay instances. */
const MIGRATION_LOCK = 7_461_203;

// BIGINT columns hold epoch ms, well inside Number's safe range.

const columns = <T>(rows: readonly T[], pick: (row: T) => unknown) => rows.map(pick);

/**
 * {@link SessionStore} in PostgreSQL, so several relay instances share one set of records. A batch is one
 * transaction with one multi-row statement per op kind (`unnest` of arrays), so throughput does not
 * depend on round trips per message.
 */
export class PostgresSessionStore implements SessionStore {
  readonly #pool: pg.Pool;
  readonly #schema: string | undefined;

  constructor(options: PostgresSessionStoreOptions) {
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
      throw new Error(`Invalid PostgreSQL schema name "${options.schema}".`);
    }
    this.#schema = options.schema;
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 5,
      types: pgTypes,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // An idle client losing its connection must not crash the relay; the next query reconnects.
    this.#pool.on("error", () => {});
  }

  async #transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      const result = await body(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async migrate(): Promise<void> {
    await this.#transaction(async (db) => {
      await db.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      if (this.#schema) await db.query(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
      await db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
      const { rows } = await db.query<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations");
      for (let v = rows[0]?.v ?? 0; v < POSTGRES_MIGRATIONS.length; v++) {
        await db.query(POSTGRES_MIGRATIONS[v]!);
        await db.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", [v + 1, Date.now()]);
      }
    });
  }

  async apply(ops: readonly RecordOp[]): Promise<void> {
    if (ops.length === 0) return;
    const byKind = new Map<RecordOp["op"], RecordOp[]>();
    for (const op of phaseOrder(ops)) {
      const group = byKind.get(op.op);
      if (group) group.push(op);
      else byKind.set(op.op, [op]);
    }
    await this.#transaction(async (db) => {
      // A patch and the message it patches may be written by two instances at once: serialized per message
      // id (sorted, so two batches never wait on each other in a cycle) so that the patch is never left over.
      const patched = [...(byKind.get("add-message") ?? []), ...(byKind.get("patch-message") ?? [])].map((op) =>
        op.op === "add-message" ? op.message.id : (op as Extract<RecordOp, { op: "patch-message" }>).messageId,
      );
      if (patched.length) {
        await db.query(
          "SELECT pg_advisory_xact_lock(hashtextextended(id, 7)) FROM (SELECT DISTINCT unnest($1::text[]) AS id ORDER BY 1) ids",
          [patched],
        );
      }
      const sessions = (byKind.get("create-session") ?? []) as Extract<RecordOp, { op: "create-session" }>[];
      if (sessions.length) {
        const s = sessions.map((op) => op.session);
        await db.query(
          `INSERT INTO sessions (id, agent, origin, mode, status, visitor_hash, conversation_id, created_at, expires_at, client,
             last_active_at, context)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::bigint[], $9::bigint[], $10::jsonb[], $11::bigint[], $12::jsonb[])
           ON CONFLICT (id) DO NOTHING`,
          [
            columns(s, (x) => x.id),
            columns(s, (x) => x.agent),
            columns(s, (x) => x.origin),
            columns(s, (x) => x.mode),
            columns(s, (x) => x.status),
            columns(sessions, (op) => op.visitorHash),
            columns(s, (x) => x.conversationId),
            columns(s, (x) => x.createdAt),
            columns(s, (x) => x.expiresAt),
            columns(s, (x) => (x.client ? JSON.stringify(x.client) : null)),
            columns(s, (x) => x.lastActiveAt),
            columns(s, (x) => (x.context ? JSON.stringify(x.context) : null)),
          ],
        );
      }
      for (const op of (byKind.get("set-client") ?? []) as Extract<RecordOp, { op: "set-client" }>[]) {
        await db.query("UPDATE sessions SET client = $1 WHERE id = $2", [JSON.stringify(op.client), op.sessionId]);
      }
      const touches = new Map<string, { at: number; lapseAt: number }>();
      for (const op of (byKind.get("touch") ?? []) as Extract<RecordOp, { op: "touch" }>[]) {
        const seen = touches.get(op.sessionId);
        touches.set(op.sessionId, { at: Math.max(op.at, seen?.at ?? 0), lapseAt: Math.max(op.lapseAt, seen?.lapseAt ?? 0) });
      }
      if (touches.size) {
        // One row per session: an UPDATE … FROM would apply only one of several rows for the same session.
        await db.query(
          `UPDATE sessions s SET last_active_at = GREATEST(s.last_active_at, t.at), expires_at = GREATEST(s.expires_at, t.lapse_at)
           FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t (id, at, lapse_at)
           WHERE s.id = t.id AND s.status IN ('pending', 'active')`,
          [[...touches.keys()], [...touches.values()].map((t) => t.at), [...touches.values()].map((t) => t.lapseAt)],
        );
      }
      const added = (byKind.get("add-message") ?? []) as Extract<RecordOp, { op: "add-message" }>[];
      const messages = added.map((op) => op.message);
      if (messages.length) {
        // No conflict target: the primary key and the one user message per turn (`messages_user_turn`).
        await db.query(
          `INSERT INTO messages (id, session_id, role, text, start_at, end_at, prompt_tokens, completion_tokens,
             utterance_id, audio_duration_ms, interrupted, heard_text, latency, tool_calls, tool_call_id)
           SELECT m.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
             $7::int[], $8::int[], $9::text[], $10::int[], $11::bool[], $12::text[], $13::jsonb[], $14::jsonb[], $15::text[])
             AS m (id, session_id, role, text, start_at, end_at, prompt_tokens, completion_tokens,
               utterance_id, audio_duration_ms, interrupted, heard_text, latency, tool_calls, tool_call_id)
           WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = m.session_id)
           ON CONFLICT DO NOTHING`,
          [
            columns(messages, (m) => m.id),
            columns(messages, (m) => m.sessionId),
            columns(messages, (m) => m.role),
            columns(messages, (m) => m.text),
            columns(messages, (m) => m.startAt),
            columns(messages, (m) => m.endAt),
            columns(messages, (m) => m.promptTokens),
            columns(messages, (m) => m.completionTokens),
            columns(messages, (m) => m.utteranceId),
            columns(messages, (m) => (m.audioDurationMs === null ? null : Math.round(m.audioDurationMs))),
            columns(messages, (m) => m.interrupted),
            columns(messages, (m) => m.heardText),
            columns(messages, (m) => JSON.stringify(m.latency)),
            columns(messages, (m) => (m.toolCalls ? JSON.stringify(m.toolCalls) : null)),
            columns(messages, (m) => m.toolCallId),
          ],
        );
      }
      if (added.length) {
        // What patched these messages before they were written.
        await db.query(
          `WITH early AS (DELETE FROM message_patches p USING messages m
             WHERE p.message_id = ANY($1::text[]) AND m.id = p.message_id AND m.session_id = p.session_id RETURNING p.*)
           UPDATE messages m SET interrupted = COALESCE(early.interrupted, m.interrupted), heard_text = COALESCE(early.heard_text, m.heard_text),
             latency = m.latency || early.latency
           FROM early WHERE m.id = early.message_id`,
          [added.map((op) => op.message.id)],
        );
      }
      for (const op of (byKind.get("patch-message") ?? []) as Extract<RecordOp, { op: "patch-message" }>[]) {
        const values = [op.interrupted ?? null, op.heardText ?? null, JSON.stringify(op.latency ?? {}), op.messageId, op.sessionId];
        const { rowCount } = await db.query(
          `UPDATE messages SET interrupted = COALESCE($1, interrupted), heard_text = COALESCE($2, heard_text),
             latency = latency || $3::jsonb WHERE id = $4 AND session_id = $5`,
          values,
        );
        if (rowCount) continue;
        // Not written yet: kept until it is (never applied to another session's message of that id).
        await db.query(
          `INSERT INTO message_patches (message_id, session_id, interrupted, heard_text, latency)
           SELECT $4::text, $5::text, $1::boolean, $2::text, $3::jsonb WHERE EXISTS (SELECT 1 FROM sessions WHERE id = $5)
             AND NOT EXISTS (SELECT 1 FROM messages WHERE id = $4)
           ON CONFLICT (message_id) DO UPDATE SET interrupted = COALESCE(EXCLUDED.interrupted, message_patches.interrupted),
             heard_text = COALESCE(EXCLUDED.heard_text, message_patches.heard_text), latency = message_patches.latency || EXCLUDED.latency
           WHERE message_patches.session_id = EXCLUDED.session_id`,
          values,
        );
      }
      const events = ((byKind.get("add-event") ?? []) as Extract<RecordOp, { op: "add-event" }>[]).map((op) => op.event);
      if (events.length) {
        await db.query(
          `INSERT INTO events (id, session_id, type, source, at, payload)
           SELECT e.* FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::jsonb[])
             AS e (id, session_id, type, source, at, payload)
           WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = e.session_id)
           ON CONFLICT (id) DO NOTHING`,
          [
            columns(events, (e) => e.id),
            columns(events, (e) => e.sessionId),
            columns(events, (e) => e.type),
            columns(events, (e) => e.source),
            columns(events, (e) => e.at),
            columns(events, (e) => JSON.stringify(e.payload)),
          ],
        );
      }
      await postgresSetAnalyses(db, (byKind.get("set-analysis") ?? []) as Extract<RecordOp, { op: "set-analysis" }>[]);
      for (const op of (byKind.get("set-status") ?? []) as Extract<RecordOp, { op: "set-status" }>[]) {
        const from = predecessorsOf(op.status).filter((s) => !op.from || op.from.includes(s));
        if (from.length === 0) continue;
        if (op.status === "active") {
          await db.query(
            "UPDATE sessions SET status = 'active', started_at = COALESCE(started_at, $1) WHERE id = $2 AND status = ANY($3::text[])",
            [op.at, op.sessionId, from],
          );
        } else {
          await db.query(
            `UPDATE sessions SET status = $1, ended_at = $2, duration_ms = $2 - created_at, end_reason = $3, announce_end = TRUE
             WHERE id = $4 AND status = ANY($5::text[])`,
            [op.status, op.at, op.reason ?? null, op.sessionId, from],
          );
        }
      }
      const webhooks = (byKind.get("enqueue-webhook") ?? []) as Extract<RecordOp, { op: "enqueue-webhook" }>[];
      await postgresEnqueueWebhooks(
        db,
        webhooks.map((op) => op.delivery),
      );
    });
  }

  async listSessions(query: SessionQuery): Promise<SessionPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.agents) {
      if (query.agents.length === 0) return { sessions: [], nextCursor: null };
      where.push(query.agents.length === 1 ? `agent = ${param(query.agents[0])}` : `agent = ANY(${param(query.agents)}::text[])`);
    }
    if (query.status) where.push(`status = ${param(query.status)}`);
    if (query.from !== undefined) where.push(`created_at >= ${param(query.from)}`);
    if (query.to !== undefined) where.push(`created_at < ${param(query.to)}`);
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) throw new RangeError("Invalid cursor.");
    if (cursor) where.push(`(created_at, id) < (${param(cursor.createdAt)}, ${param(cursor.id)})`);
    const { rows } = await this.#pool.query(
      `SELECT *, (SELECT text FROM messages m WHERE m.session_id = sessions.id AND m.role = 'user' ORDER BY m.start_at, m.id LIMIT 1) AS first_visitor_text
       FROM sessions ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY created_at DESC, id DESC LIMIT ${param(query.limit + 1)}`,
      params,
    );
    const sessions = rows.slice(0, query.limit).map(listItemFromRow);
    const last = sessions.at(-1);
    return { sessions, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }

  async getSession(id: string): Promise<SessionDetail | undefined> {
    const [session, messages, events, analysis] = await Promise.all([
      this.#pool.query("SELECT * FROM sessions WHERE id = $1", [id]),
      this.#pool.query("SELECT * FROM messages WHERE session_id = $1 ORDER BY start_at, id", [id]),
      this.#pool.query("SELECT * FROM events WHERE session_id = $1 ORDER BY at, id", [id]),
      this.#pool.query("SELECT * FROM session_analyses WHERE session_id = $1", [id]),
    ]);
    const row = session.rows[0];
    if (!row) return undefined;
    return {
      session: sessionFromRow(row),
      messages: messages.rows.map(messageFromRow),
      events: events.rows.map(eventFromRow),
      analysis: analysisFromRow(analysis.rows[0]),
    };
  }

  async claimAnalyses(claim: AnalysisClaim): Promise<{ sessionId: string; attempt: number }[]> {
    return postgresClaimAnalyses(this.#pool, claim);
  }

  async deleteSessions(selector: SessionSelector): Promise<string[]> {
    if ("visitorOf" in selector) {
      const { rows } = await this.#pool.query<{ id: string }>(
        "DELETE FROM sessions WHERE id = $1 OR visitor_hash = (SELECT visitor_hash FROM sessions WHERE id = $1) RETURNING id",
        [selector.visitorOf],
      );
      return rows.map((row) => row.id);
    }
    if (selector.ids.length === 0 || selector.agents?.length === 0) return [];
    const { rows } = await this.#pool.query<{ id: string }>(
      `DELETE FROM sessions WHERE id = ANY($1::text[])${selector.agents ? " AND agent = ANY($2::text[])" : ""} RETURNING id`,
      selector.agents ? [selector.ids, selector.agents] : [selector.ids],
    );
    return rows.map((row) => row.id);
  }

  async markLapsed(now: number): Promise<number> {
    const { rowCount } = await this.#pool.query(
      `UPDATE sessions SET status = 'timeout', ended_at = COALESCE(last_active_at, created_at),
         duration_ms = COALESCE(last_active_at, created_at) - created_at, end_reason = 'lapsed', announce_end = TRUE
       WHERE status IN ('pending', 'active') AND expires_at <= $1`,
      [now],
    );
    return rowCount ?? 0;
  }

  async purge(rules: PurgeRules): Promise<number> {
    const targets: [string, unknown[]][] = [...rules.byAgent].map(([agent, before]) => ["agent = $1 AND created_at < $2", [agent, before]]);
    if (rules.otherwise !== undefined) {
      targets.push(["NOT (agent = ANY($1::text[])) AND created_at < $2", [[...rules.byAgent.keys()], rules.otherwise]]);
    }
    let deleted = 0;
    for (const [where, params] of targets) {
      for (;;) {
        const { rowCount } = await this.#pool.query(
          `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ${where} LIMIT ${DELETE_CHUNK})`,
          params,
        );
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < DELETE_CHUNK) break;
      }
    }
    return deleted;
  }

  async announceEndings(deliveriesFor: (session: SessionRecord) => NewWebhookDelivery[], limit: number): Promise<number> {
    return this.#transaction((db) => postgresAnnounceEndings(db, deliveriesFor, limit));
  }

  async claimWebhooks(now: number, leaseUntil: number, limit: number): Promise<ClaimedWebhook[]> {
    return postgresClaimWebhooks(this.#pool, now, leaseUntil, limit);
  }

  async recordWebhookAttempt(id: string, attempt: WebhookAttempt, next: WebhookNext): Promise<void> {
    await postgresRecordWebhookAttempt(this.#pool, id, attempt, next);
  }

  async listWebhooks(query: WebhookQuery): Promise<WebhookPage> {
    return postgresListWebhooks(this.#pool, query);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** Drops the store's schema with everything in it (tests and benchmarks only). */
  async dropSchema(): Promise<void> {
    if (!this.#schema) throw new Error("dropSchema needs an explicit schema.");
    await this.#pool.query(`DROP SCHEMA IF EXISTS ${this.#schema} CASCADE`);
  }
}
