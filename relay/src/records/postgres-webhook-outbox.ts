import type pg from "pg";
import { sessionFromRow } from "./record-rows.ts";
import { decodeCursor, encodeCursor } from "./session-cursor.ts";
import type { SessionRecord } from "./session-record.ts";
import type { ClaimedWebhook, NewWebhookDelivery, WebhookAttempt, WebhookNext, WebhookPage, WebhookQuery } from "./webhook-outbox.ts";
import { attemptJson, claimedFromRow, webhookFromRow } from "./webhook-rows.ts";

/** A pool, or a client inside a transaction. */
type Db = Pick<pg.Pool, "query">;

// The PostgreSQL half of `WebhookOutbox`; `PostgresSessionStore` calls these.

/** `enqueue-webhook` ops in one statement: skipped when the id is known or the session is gone. */
export async function postgresEnqueueWebhooks(db: Db, deliveries: readonly NewWebhookDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  const column = (pick: (d: NewWebhookDelivery) => unknown) => deliveries.map(pick);
  await db.query(
    `INSERT INTO webhook_deliveries (id, session_id, agent, event, url, payload, created_at, next_attempt_at)
     SELECT d.*, d.created_at FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
       AS d (id, session_id, agent, event, url, payload, created_at)
     WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = d.session_id)
     ON CONFLICT (id) DO NOTHING`,
    [
      column((d) => d.id),
      column((d) => d.sessionId),
      column((d) => d.agent),
      column((d) => d.event),
      column((d) => d.url),
      column((d) => d.payload),
      column((d) => d.createdAt),
    ],
  );
}

/** Call with a client inside a transaction; sessions another instance is announcing are skipped. */
export async function postgresAnnounceEndings(
  db: Db,
  deliveriesFor: (session: SessionRecord) => NewWebhookDelivery[],
  limit: number,
): Promise<number> {
  const { rows } = await db.query("SELECT * FROM sessions WHERE announce_end ORDER BY ended_at LIMIT $1 FOR NO KEY UPDATE SKIP LOCKED", [
    limit,
  ]);
  await postgresEnqueueWebhooks(
    db,
    rows.flatMap((row) => deliveriesFor(sessionFromRow(row))),
  );
  if (rows.length) await db.query("UPDATE sessions SET announce_end = FALSE WHERE id = ANY($1::text[])", [rows.map((row) => row.id)]);
  return rows.length;
}

/**
 * One statement: rows another instance is claiming are skipped (`SKIP LOCKED`), then no longer due; the
 * outer condition is checked again on the row as it is when locked, so a row is never claimed twice.
 */
export async function postgresClaimWebhooks(db: Db, now: number, leaseUntil: number, limit: number): Promise<ClaimedWebhook[]> {
  const { rows } = await db.query(
    `UPDATE webhook_deliveries d SET next_attempt_at = $2 FROM (
       SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
       ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
     WHERE d.id = due.id AND d.status = 'pending' AND d.next_attempt_at <= $1 RETURNING d.*`,
    [now, leaseUntil, limit],
  );
  return rows.map(claimedFromRow);
}

export async function postgresRecordWebhookAttempt(db: Db, id: string, attempt: WebhookAttempt, next: WebhookNext): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET attempts = attempts || jsonb_build_array($1::jsonb), status = $2, next_attempt_at = $3
     WHERE id = $4 AND status = 'pending'`,
    [attemptJson(attempt), typeof next === "number" ? "pending" : next, typeof next === "number" ? next : null, id],
  );
}

export async function postgresListWebhooks(db: Db, query: WebhookQuery): Promise<WebhookPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (query.agents) {
    if (query.agents.length === 0) return { webhooks: [], nextCursor: null };
    where.push(`agent = ANY(${param(query.agents)}::text[])`);
  }
  if (query.status) where.push(`status = ${param(query.status)}`);
  if (query.sessionId) where.push(`session_id = ${param(query.sessionId)}`);
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !cursor) throw new RangeError("Invalid cursor.");
  if (cursor) where.push(`(created_at, id) < (${param(cursor.createdAt)}, ${param(cursor.id)})`);
  const { rows } = await db.query(
    `SELECT * FROM webhook_deliveries ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY created_at DESC, id DESC LIMIT ${param(query.limit + 1)}`,
    params,
  );
  const webhooks = rows.slice(0, query.limit).map(webhookFromRow);
  const last = webhooks.at(-1);
  return { webhooks, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}
