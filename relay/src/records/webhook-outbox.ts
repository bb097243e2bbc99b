import type { WebhookEvent } from "../webhooks/webhook-event.ts";
import type { SessionRecord } from "./session-record.ts";

/** Where a delivery stands: `pending` until an attempt got a 2xx (`delivered`) or its 24 h ran out (`failed`). */
export type WebhookStatus = "pending" | "delivered" | "failed";

/** Every {@link WebhookStatus}. */
export const WEBHOOK_STATUSES = ["pending", "delivered", "failed"] as const satisfies readonly WebhookStatus[];

/** One attempt to deliver a webhook. */
export interface WebhookAttempt {
  /** Epoch ms when the attempt started. */
  at: number;
  /** The receiver's HTTP status; null when none came (refused, timeout, network error). */
  status: number | null;
  /**
   * Why the attempt failed, null when it delivered: `http_error` (a non-2xx status), `redirect` (a 3xx,
   * never followed), `timeout`, `refused` (the address policy), `not_configured` (the agent, its secret or
   * the endpoint is gone), or the network error's code (`ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, …).
   */
  error: string | null;
  durationMs: number;
}

/** What the `enqueue-webhook` record op writes: one event for one endpoint. */
export interface NewWebhookDelivery {
  /** Sent as `webhook-id` on every attempt (a receiver drops duplicates by it); `msg_…`, see `webhookId`. */
  id: string;
  /** The session the event is about; the delivery is deleted with it. */
  sessionId: string;
  agent: string;
  event: WebhookEvent;
  url: string;
  /** The request body (JSON text), sent byte for byte on every attempt. */
  payload: string;
  /** Epoch ms; retries stop 24 h after it. */
  createdAt: number;
}

/** A delivery as the admin API shows it (without its payload). */
export interface WebhookDelivery {
  id: string;
  sessionId: string;
  agent: string;
  event: WebhookEvent;
  url: string;
  status: WebhookStatus;
  /** Oldest first. */
  attempts: WebhookAttempt[];
  /** Epoch ms of the next attempt (while one is in flight: when its lease ends); null once delivered or failed. */
  nextAttemptAt: number | null;
  createdAt: number;
}

/** A delivery claimed for an attempt, with its body. */
export interface ClaimedWebhook extends WebhookDelivery {
  payload: string;
}

/** Filters of {@link WebhookOutbox.listWebhooks}; newest first by `createdAt`. */
export interface WebhookQuery {
  /** Only these agents (an admin scope); undefined means every agent. */
  agents?: readonly string[];
  status?: WebhookStatus;
  sessionId?: string;
  /** Page size, 1…500. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of deliveries. */
export interface WebhookPage {
  webhooks: WebhookDelivery[];
  nextCursor: string | null;
}

/** After an attempt: the next attempt's epoch ms, or the delivery's end. */
export type WebhookNext = number | "delivered" | "failed";

/**
 * The durable outbox of webhook deliveries, kept in the records store (deliveries are written with the
 * `enqueue-webhook` record op, so a feature enqueues one atomically with its own records). Both stores
 * pass the outbox part of `session-store.contract.ts`.
 */
export interface WebhookOutbox {
  /**
   * Enqueues `session.ended` for sessions that reached a terminal status: a status change to one marks
   * the session in the same statement, and this takes up to `limit` marked sessions, writes the deliveries
   * `deliveriesFor` returns for each (none for an agent without such endpoints) and clears their marks, in
   * one transaction. Safe with several instances (deliveries are keyed by id). Returns the sessions taken.
   */
  announceEndings(deliveriesFor: (session: SessionRecord) => NewWebhookDelivery[], limit: number): Promise<number>;
  /**
   * Claims up to `limit` pending deliveries due at `now` (oldest due first) by moving their next attempt
   * to `leaseUntil`: another claim (another instance) skips them until then, and a claim lost with its
   * process is retried after it.
   */
  claimWebhooks(now: number, leaseUntil: number, limit: number): Promise<ClaimedWebhook[]>;
  /** Appends an attempt to a pending delivery and sets what comes next. */
  recordWebhookAttempt(id: string, attempt: WebhookAttempt, next: WebhookNext): Promise<void>;
  /** Deliveries, newest first, with cursor pagination. */
  listWebhooks(query: WebhookQuery): Promise<WebhookPage>;
}
