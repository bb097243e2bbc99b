import type { WebhookEvent } from "../webhooks/webhook-event.ts";
import type { ClaimedWebhook, WebhookAttempt, WebhookDelivery, WebhookStatus } from "./webhook-outbox.ts";

/** A `webhook_deliveries` row as either driver returns it (attempts as JSON text in SQLite, parsed in PostgreSQL). */
type Row = Record<string, unknown>;

/** Maps a `webhook_deliveries` row, without its payload. */
export function webhookFromRow(row: Row): WebhookDelivery {
  return {
    id: row.id as string,
    sessionId: row.session_id as string,
    agent: row.agent as string,
    event: row.event as WebhookEvent,
    url: row.url as string,
    status: row.status as WebhookStatus,
    attempts: (typeof row.attempts === "string" ? JSON.parse(row.attempts) : row.attempts) as WebhookAttempt[],
    nextAttemptAt: row.next_attempt_at === null || row.next_attempt_at === undefined ? null : Number(row.next_attempt_at),
    createdAt: Number(row.created_at),
  };
}

/** Maps a claimed row, with its payload. */
export function claimedFromRow(row: Row): ClaimedWebhook {
  return { ...webhookFromRow(row), payload: row.payload as string };
}

/** The attempt as stored: its keys in a fixed order. */
export function attemptJson(attempt: WebhookAttempt): string {
  return JSON.stringify({ at: attempt.at, status: attempt.status, error: attempt.error, durationMs: attempt.durationMs });
}
