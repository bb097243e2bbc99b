import { createHash } from "node:crypto";
import type { AgentConfig } from "../agent-config.ts";
import type { RecordOp } from "../records/record-op.ts";
import type { SessionRecord } from "../records/session-record.ts";
import type { NewWebhookDelivery } from "../records/webhook-outbox.ts";
import type { SessionEndedData, WebhookEvent, WebhookPayload } from "./webhook-event.ts";

/** An event to announce, about one session. */
export interface WebhookMessage<Data = Record<string, unknown>> {
  event: WebhookEvent;
  /** What makes the event unique for its kind (e.g. the analysis id): the same key gives the same delivery ids. */
  key: string;
  sessionId: string;
  /** Epoch ms when the event happened (the payload's `timestamp`). */
  at: number;
  data: Data;
  /** Epoch ms the retries count from (24 h); default `at`. */
  createdAt?: number;
}

/**
 * The `webhook-id` of `event` with `key` for endpoint `url`: `msg_` + 27 base64url characters of a SHA-256,
 * so that enqueueing the same event twice (a retried batch, two instances) gives the same delivery.
 */
export function webhookId(event: WebhookEvent, key: string, url: string): string {
  return `msg_${createHash("sha256").update(`${event}\n${key}\n${url}`).digest("base64url").slice(0, 27)}`;
}

/** The deliveries of `message` to each of the agent's endpoints subscribed to its event; none without webhooks. */
export function webhookDeliveries(agent: Pick<AgentConfig, "id" | "webhooks">, message: WebhookMessage<object>): NewWebhookDelivery[] {
  const endpoints = agent.webhooks?.endpoints.filter((endpoint) => endpoint.events.includes(message.event)) ?? [];
  if (endpoints.length === 0) return [];
  const payload: WebhookPayload<object> = { type: message.event, timestamp: new Date(message.at).toISOString(), data: message.data };
  const body = JSON.stringify(payload);
  return endpoints.map(({ url }) => ({
    id: webhookId(message.event, message.key, url),
    sessionId: message.sessionId,
    agent: agent.id,
    event: message.event,
    url,
    payload: body,
    createdAt: message.createdAt ?? message.at,
  }));
}

/**
 * `enqueue-webhook` ops for `message`, to apply in the same batch as the records it announces (e.g. an
 * analysis and its `analysis.completed`), so that both are committed or neither is.
 */
export function webhookOps(agent: Pick<AgentConfig, "id" | "webhooks">, message: WebhookMessage<object>): RecordOp[] {
  return webhookDeliveries(agent, message).map((delivery) => ({ op: "enqueue-webhook", delivery }));
}

/** `session.ended` of an ended session for its agent's endpoints (none when the agent is gone or has none). */
export function sessionEndedDeliveries(agent: Pick<AgentConfig, "id" | "webhooks"> | undefined, session: SessionRecord, now: number) {
  if (!agent) return [];
  const data: SessionEndedData = {
    sessionId: session.id,
    agent: session.agent,
    origin: session.origin,
    mode: session.mode,
    status: session.status,
    endReason: session.endReason,
    conversationId: session.conversationId,
    createdAt: session.createdAt,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    durationMs: session.durationMs,
  };
  return webhookDeliveries(agent, {
    event: "session.ended",
    key: session.id,
    sessionId: session.id,
    at: session.endedAt ?? now,
    data,
    createdAt: now,
  });
}
