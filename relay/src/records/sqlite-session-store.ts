import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { SQLInputValue, StatementSync } from "node:sqlite";
import type { RecordOp } from "./record-op.ts";
import { phaseOrder } from "./record-op.ts";
import { analysisFromRow, eventFromRow, listItemFromRow, messageFromRow, sessionFromRow } from "./record-rows.ts";
import { decodeCursor, encodeCursor } from "./session-cursor.ts";
import type { SessionDetail } from "./session-record.ts";
import { predecessorsOf } from "./session-status.ts";
import type { AnalysisClaim, PurgeRules, SessionPage, SessionQuery, SessionSelector, SessionStore } from "./session-store.ts";
import { sqliteClaimAnalyses, sqliteSetAnalysis } from "./sqlite-analyses.ts";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations.ts";
import {
  sqliteAnnounceEndings,
  sqliteClaimWebhooks,
  sqliteEnqueueWebhook,
  sqliteListWebhooks,
  sqliteRecordWebhookAttempt,
} from "./sqlite-webhook-outbox.ts";
import type { SessionRecord } from "./session-record.ts";
import type { ClaimedWebhook, NewWebhookDelivery, WebhookAttempt, WebhookNext, WebhookPage, WebhookQuery } from "./webhook-outbox.ts";

/** Rows deleted per statement by purges, so one purge never holds the event loop for long. */
const DELETE_CHUNK = 500;

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");
const ids = (rows: unknown[]) => (rows as { id: string }[]).map((row) => row.id);
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * {@link SessionStore} in an embedded SQLite file via Node's built-in `node:sqlite` (no native compile).
 * WAL journal with `synchronous = NORMAL`: a commit is a write to the WAL in the OS page cache, which
 * survives a killed process (not a power cut), and costs no fsync on the request path.
 * Statements run synchronously on the calling thread; batches keep each call short.
 */
export class SqliteSessionStore implements SessionStore {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  /** @param path - file path, or `:memory:` */
  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  }

  #sql(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  readonly #sqlFn = (sql: string) => this.#sql(sql);

  #transaction<T>(body: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      this.#db.exec("COMMIT");
      return result;
    } catch (err) {
      this.#db.exec("ROLLBACK");
      throw err;
    }
  }

  async migrate(): Promise<void> {
    this.#transaction(() => {
      const { user_version: version } = this.#sql("PRAGMA user_version").get() as { user_version: number };
      for (let v = version; v < SQLITE_MIGRATIONS.length; v++) this.#db.exec(SQLITE_MIGRATIONS[v]!);
      if (version < SQLITE_MIGRATIONS.length) this.#db.exec(`PRAGMA user_version = ${SQLITE_MIGRATIONS.length}`);
    });
  }

  async apply(ops: readonly RecordOp[]): Promise<void> {
    if (ops.length === 0) return;
    this.#transaction(() => {
      for (const op of phaseOrder(ops)) this.#applyOne(op);
    });
  }

  #applyOne(op: RecordOp): void {
    switch (op.op) {
      case "create-session": {
        const s = op.session;
        this.#sql(
          `INSERT INTO sessions (id, agent, origin, mode, status, visitor_hash, conversation_id, created_at, started_at,
             ended_at, expires_at, last_active_at, duration_ms, end_reason, client, context)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        ).run(
          s.id,
          s.agent,
          s.origin,
          s.mode,
          s.status,
          op.visitorHash,
          s.conversationId,
          s.createdAt,
          s.startedAt,
          s.endedAt,
          s.expiresAt,
          s.lastActiveAt,
          s.durationMs,
          s.endReason,
          s.client ? JSON.stringify(s.client) : null,
          s.context ? JSON.stringify(s.context) : null,
        );
        return;
      }
      case "set-status": {
        const from = predecessorsOf(op.status).filter((s) => !op.from || op.from.includes(s));
        if (from.length === 0) return;
        const guard = `WHERE id = ? AND status IN (SELECT value FROM json_each(?))`;
        if (op.status === "active") {
          this.#sql(`UPDATE sessions SET status = 'active', started_at = COALESCE(started_at, ?) ${guard}`).run(
            op.at,
            op.sessionId,
            JSON.stringify(from),
          );
        } else {
          this.#sql(
            `UPDATE sessions SET status = ?, ended_at = ?, duration_ms = ? - created_at,
             end_reason = ?, announce_end = 1 ${guard}`,
          ).run(op.status, op.at, op.at, op.reason ?? null, op.sessionId, JSON.stringify(from));
        }
        return;
      }
      case "touch":
        this.#sql(
          `UPDATE sessions SET last_active_at = max(COALESCE(last_active_at, 0), ?), expires_at = max(expires_at, ?)
           WHERE id = ? AND status IN ('pending', 'active')`,
        ).run(op.at, op.lapseAt, op.sessionId);
        return;
      case "set-client":
        this.#sql("UPDATE sessions SET client = ? WHERE id = ?").run(JSON.stringify(op.client), op.sessionId);
        return;
      case "add-message": {
        const m = op.message;
        // No conflict target: the primary key and the one user message per turn (`messages_user_turn`).
        this.#sql(
          `INSERT INTO messages (id, session_id, role, text, start_at, end_at, prompt_tokens, completion_tokens,
             utterance_id, audio_duration_ms, interrupted, heard_text, latency, tool_calls, tool_call_id)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?) ON CONFLICT DO NOTHING`,
        ).run(
          m.id,
          m.sessionId,
          m.role,
          m.text,
          m.startAt,
          m.endAt,
          m.promptTokens,
          m.completionTokens,
          m.utteranceId,
          m.audioDurationMs,
          m.interrupted ? 1 : 0,
          m.heardText,
          JSON.stringify(m.latency),
          m.toolCalls ? JSON.stringify(m.toolCalls) : null,
          m.toolCallId,
          m.sessionId,
        );
        this.#applyEarlyPatches(m.id);
        return;
      }
      case "patch-message": {
        const values = [
          op.interrupted === undefined ? null : op.interrupted ? 1 : 0,
          op.heardText ?? null,
          JSON.stringify(op.latency ?? {}),
        ];
        const { changes } = this.#sql(
          `UPDATE messages SET interrupted = COALESCE(?, interrupted), heard_text = COALESCE(?, heard_text),
             latency = json_patch(latency, ?) WHERE id = ? AND session_id = ?`,
        ).run(...values, op.messageId, op.sessionId);
        if (Number(changes) > 0) return;
        // Not written yet: kept until it is (never applied to another session's message of that id).
        this.#sql(
          `INSERT INTO message_patches (message_id, session_id, interrupted, heard_text, latency)
           SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?)
             AND NOT EXISTS (SELECT 1 FROM messages WHERE id = ?)
           ON CONFLICT (message_id) DO UPDATE SET interrupted = COALESCE(excluded.interrupted, interrupted),
             heard_text = COALESCE(excluded.heard_text, heard_text), latency = json_patch(latency, excluded.latency)
           WHERE session_id = excluded.session_id`,
        ).run(op.messageId, op.sessionId, ...values, op.sessionId, op.messageId);
        return;
      }
      case "add-event": {
        const e = op.event;
        this.#sql(
          `INSERT INTO events (id, session_id, type, source, at, payload)
           SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?) ON CONFLICT (id) DO NOTHING`,
        ).run(e.id, e.sessionId, e.type, e.source, e.at, JSON.stringify(e.payload), e.sessionId);
        return;
      }
      case "set-analysis":
        sqliteSetAnalysis(this.#sqlFn, op);
        return;
      case "enqueue-webhook":
        sqliteEnqueueWebhook(this.#sqlFn, op.delivery);
        return;
    }
  }

  /** Applies (and drops) what patched message `id` before it was written. */
  #applyEarlyPatches(id: string): void {
    const { changes } = this.#sql(
      `UPDATE messages SET interrupted = COALESCE(p.interrupted, messages.interrupted), heard_text = COALESCE(p.heard_text, messages.heard_text),
         latency = json_patch(messages.latency, p.latency)
       FROM message_patches p WHERE p.message_id = messages.id AND p.session_id = messages.session_id AND messages.id = ?`,
    ).run(id);
    if (Number(changes) > 0) this.#sql("DELETE FROM message_patches WHERE message_id = ?").run(id);
  }

  async listSessions(query: SessionQuery): Promise<SessionPage> {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    const filter = (clause: string, ...values: SQLInputValue[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (query.agents) {
      if (query.agents.length === 0) return { sessions: [], nextCursor: null };
      filter(`agent IN (${placeholders(query.agents.length)})`, ...query.agents);
    }
    if (query.status) filter("status = ?", query.status);
    if (query.from !== undefined) filter("created_at >= ?", query.from);
    if (query.to !== undefined) filter("created_at < ?", query.to);
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) throw new RangeError("Invalid cursor.");
    if (cursor) filter("(created_at, id) < (?, ?)", cursor.createdAt, cursor.id);
    const rows = this.#sql(
      `SELECT *, (SELECT text FROM messages m WHERE m.session_id = sessions.id AND m.role = 'user' ORDER BY m.start_at, m.id LIMIT 1) AS first_visitor_text
       FROM sessions ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    ).all(...params, query.limit + 1);
    const sessions = rows.slice(0, query.limit).map(listItemFromRow);
    const last = sessions.at(-1);
    return { sessions, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }

  async getSession(id: string): Promise<SessionDetail | undefined> {
    const row = this.#sql("SELECT * FROM sessions WHERE id = ?").get(id);
    if (!row) return undefined;
    return {
      session: sessionFromRow(row),
      messages: this.#sql("SELECT * FROM messages WHERE session_id = ? ORDER BY start_at, id").all(id).map(messageFromRow),
      events: this.#sql("SELECT * FROM events WHERE session_id = ? ORDER BY at, id").all(id).map(eventFromRow),
      analysis: analysisFromRow(this.#sql("SELECT * FROM session_analyses WHERE session_id = ?").get(id)),
    };
  }

  async claimAnalyses(claim: AnalysisClaim): Promise<{ sessionId: string; attempt: number }[]> {
    return this.#transaction(() => sqliteClaimAnalyses(this.#sqlFn, claim));
  }

  async deleteSessions(selector: SessionSelector): Promise<string[]> {
    if ("visitorOf" in selector) {
      return ids(
        this.#sql(
          `DELETE FROM sessions WHERE id = ?1 OR visitor_hash = (SELECT visitor_hash FROM sessions WHERE id = ?1) RETURNING id`,
        ).all(selector.visitorOf),
      );
    }
    if (selector.ids.length === 0 || selector.agents?.length === 0) return [];
    const agents = selector.agents ? ` AND agent IN (${placeholders(selector.agents.length)})` : "";
    return ids(
      this.#sql(`DELETE FROM sessions WHERE id IN (${placeholders(selector.ids.length)})${agents} RETURNING id`).all(
        ...selector.ids,
        ...(selector.agents ?? []),
      ),
    );
  }

  async markLapsed(now: number): Promise<number> {
    return Number(
      this.#sql(
        `UPDATE sessions SET status = 'timeout', ended_at = COALESCE(last_active_at, created_at),
         duration_ms = COALESCE(last_active_at, created_at) - created_at, end_reason = 'lapsed', announce_end = 1
       WHERE status IN ('pending', 'active') AND expires_at <= ?`,
      ).run(now).changes,
    );
  }

  async purge(rules: PurgeRules): Promise<number> {
    const targets: [string, SQLInputValue[]][] = [...rules.byAgent].map(([agent, before]) => [
      "agent = ? AND created_at < ?",
      [agent, before],
    ]);
    if (rules.otherwise !== undefined) {
      const agents = [...rules.byAgent.keys()];
      targets.push([
        `${agents.length ? `agent NOT IN (${placeholders(agents.length)}) AND ` : ""}created_at < ?`,
        [...agents, rules.otherwise],
      ]);
    }
    let deleted = 0;
    for (const [where, params] of targets) {
      for (;;) {
        const { changes } = this.#sql(
          `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ${where} LIMIT ${DELETE_CHUNK})`,
        ).run(...params);
        deleted += Number(changes);
        if (Number(changes) < DELETE_CHUNK) break;
        await yieldToEventLoop();
      }
    }
    return deleted;
  }

  async announceEndings(deliveriesFor: (session: SessionRecord) => NewWebhookDelivery[], limit: number): Promise<number> {
    return this.#transaction(() => sqliteAnnounceEndings(this.#sqlFn, deliveriesFor, limit));
  }

  async claimWebhooks(now: number, leaseUntil: number, limit: number): Promise<ClaimedWebhook[]> {
    return this.#transaction(() => sqliteClaimWebhooks(this.#sqlFn, now, leaseUntil, limit));
  }

  async recordWebhookAttempt(id: string, attempt: WebhookAttempt, next: WebhookNext): Promise<void> {
    sqliteRecordWebhookAttempt(this.#sqlFn, id, attempt, next);
  }

  async listWebhooks(query: WebhookQuery): Promise<WebhookPage> {
    return sqliteListWebhooks(this.#sqlFn, query);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
