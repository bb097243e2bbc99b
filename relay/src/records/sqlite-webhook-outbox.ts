import type { SQLInputValue, StatementSync } from "node:sqlite";
import { sessionFromRow } from "./record-rows.ts";
import { decodeCursor, encodeCursor } from "./session-cursor.ts";
import type { SessionRecord } from "./session-record.ts";
import type { ClaimedWebhook, NewWebhookDelivery, WebhookAttempt, WebhookNext, WebhookPage, WebhookQuery } from "./webhook-outbox.ts";
import { attemptJson, claimedFromRow, webhookFromRow } from "./webhook-rows.ts";

/** The SQLite store's cached statement lookup. */
type Sql = (sql: string) => StatementSync;

// The SQLite half of `WebhookOutbox`; `SqliteSessionStore` calls these inside its transactions.

/** The `enqueue-webhook` op: skipped when the id is known or the session is gone. */
export function sqliteEnqueueWebhook(sql: Sql, d: NewWebhookDelivery): void {
  sql(
    `INSERT INTO webhook_deliveries (id, session_id, agent, event, url, payload, created_at, next_attempt_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM sessions WHERE id = ?) ON CONFLICT (id) DO NOTHING`,
  ).run(d.id, d.sessionId, d.agent, d.event, d.url, d.payload, d.createdAt, d.createdAt, d.sessionId);
}

/** Call inside a transaction. */
export function sqliteAnnounceEndings(sql: Sql, deliveriesFor: (session: SessionRecord) => NewWebhookDelivery[], limit: number): number {
  const rows = sql("SELECT * FROM sessions WHERE announce_end = 1 ORDER BY ended_at LIMIT ?").all(limit);
  for (const row of rows) for (const delivery of deliveriesFor(sessionFromRow(row))) sqliteEnqueueWebhook(sql, delivery);
  const ids = rows.map((row) => row.id as string);
  if (ids.length) sql("UPDATE sessions SET announce_end = 0 WHERE id IN (SELECT value FROM json_each(?))").run(JSON.stringify(ids));
  return ids.length;
}

/** Call inside a transaction (SQLite has one writer: the claim cannot race). */
export function sqliteClaimWebhooks(sql: Sql, now: number, leaseUntil: number, limit: number): ClaimedWebhook[] {
  return sql(
    `UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id IN (SELECT id FROM webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?) RETURNING *`,
  )
    .all(leaseUntil, now, limit)
    .map(claimedFromRow);
}

export function sqliteRecordWebhookAttempt(sql: Sql, id: string, attempt: WebhookAttempt, next: WebhookNext): void {
  sql(
    `UPDATE webhook_deliveries SET attempts = json_insert(attempts, '$[#]', json(?)), status = ?, next_attempt_at = ?
     WHERE id = ? AND status = 'pending'`,
  ).run(attemptJson(attempt), typeof next === "number" ? "pending" : next, typeof next === "number" ? next : null, id);
}

export function sqliteListWebhooks(sql: Sql, query: WebhookQuery): WebhookPage {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  const filter = (clause: string, ...values: SQLInputValue[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (query.agents) {
    if (query.agents.length === 0) return { webhooks: [], nextCursor: null };
    filter("agent IN (SELECT value FROM json_each(?))", JSON.stringify(query.agents));
  }
  if (query.status) filter("status = ?", query.status);
  if (query.sessionId) filter("session_id = ?", query.sessionId);
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !cursor) throw new RangeError("Invalid cursor.");
  if (cursor) filter("(created_at, id) < (?, ?)", cursor.createdAt, cursor.id);
  const rows = sql(
    `SELECT * FROM webhook_deliveries ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id DESC LIMIT ?`,
  ).all(...params, query.limit + 1);
  const webhooks = rows.slice(0, query.limit).map(webhookFromRow);
  const last = webhooks.at(-1);
  return { webhooks, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}
