import { setTimeout as sleep } from "node:timers/promises";
import type { AgentConfig } from "../agent-config.ts";
import type { RelayLog } from "../relay-log.ts";
import type { ClaimedWebhook, WebhookAttempt, WebhookNext, WebhookOutbox } from "../records/webhook-outbox.ts";
import { sendWebhook } from "./send-webhook.ts";
import { DEFAULT_RETRY_POLICY, nextAttemptAt, type WebhookRetryPolicy } from "./webhook-backoff.ts";
import { sessionEndedDeliveries } from "./webhook-ops.ts";
import type { WebhookSecrets } from "./webhook-secrets.ts";

/** Settings of {@link startWebhookWorker}. */
export interface WebhookWorkerOptions {
  outbox: WebhookOutbox;
  agents: readonly AgentConfig[];
  secrets: WebhookSecrets;
  log: RelayLog;
  /** How often the outbox is read when it had nothing more (ms); `WEBHOOK_POLL_MS`, default 1000. */
  pollMs?: number;
  /** Longest attempt (ms); `WEBHOOK_TIMEOUT_MS`, default 10 000. */
  timeoutMs?: number;
  retry?: WebhookRetryPolicy;
  /** Deliveries claimed (and sent concurrently) per round; default 20. */
  batch?: number;
  /** Epoch ms clock (tests); default `Date.now`. */
  now?: () => number;
}

/** A running delivery worker. */
export interface WebhookWorker {
  /** Stops reading the outbox and waits for the attempts in flight (each bounded by its timeout). Idempotent. */
  close(): Promise<void>;
}

/** Sessions announced per round. */
const ANNOUNCE_BATCH = 100;
/** How long a claim outlives its attempt's timeout before another claim may take the delivery (ms). */
const LEASE_MARGIN_MS = 5000;

/**
 * Delivers the outbox: every round it enqueues `session.ended` for newly ended sessions, claims the due
 * deliveries (leased, so instances sharing a store never send one at the same time), sends them
 * concurrently, and records each attempt with what comes next (delivered, a retry with backoff, or
 * failed). A delivery whose agent, secret or endpoint is no longer configured fails at once. Store errors
 * are logged and the next round tries again.
 */
export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { outbox, secrets, log } = options;
  const pollMs = options.pollMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  const batch = options.batch ?? 20;
  const now = options.now ?? Date.now;
  const agents = new Map(options.agents.map((agent) => [agent.id, agent]));
  const stop = new AbortController();

  async function deliver(delivery: ClaimedWebhook): Promise<void> {
    const agent = agents.get(delivery.agent);
    const key = secrets.get(delivery.agent);
    const subscribed = agent?.webhooks?.endpoints.some((e) => e.url === delivery.url && e.events.includes(delivery.event));
    let attempt: WebhookAttempt;
    let next: WebhookNext;
    if (!agent || !key || !subscribed) {
      attempt = { at: now(), status: null, error: "not_configured", durationMs: 0 };
      next = "failed";
    } else {
      attempt = await sendWebhook(delivery, { key, toolHosts: agent.toolHosts, timeoutMs, now });
      next = attempt.error === null ? "delivered" : nextAttemptAt(delivery.attempts.length + 1, delivery.createdAt, now(), retry);
    }
    await outbox.recordWebhookAttempt(delivery.id, attempt, next);
    log({
      level: attempt.error === null ? "info" : "warn",
      msg: "webhook",
      webhookId: delivery.id,
      event: delivery.event,
      agent: delivery.agent,
      host: URL.parse(delivery.url)?.host,
      ...(attempt.status === null ? {} : { status: attempt.status }),
      ...(attempt.error === null ? {} : { error: attempt.error }),
      durationMs: attempt.durationMs,
      attempt: delivery.attempts.length + 1,
      next: typeof next === "number" ? new Date(next).toISOString() : next,
    });
  }

  /** One round; returns how many deliveries it claimed. */
  async function round(): Promise<number> {
    await outbox.announceEndings((session) => sessionEndedDeliveries(agents.get(session.agent), session, now()), ANNOUNCE_BATCH);
    const claimed = await outbox.claimWebhooks(now(), now() + timeoutMs + LEASE_MARGIN_MS, batch);
    await Promise.all(claimed.map(deliver));
    return claimed.length;
  }

  const running = (async () => {
    while (!stop.signal.aborted) {
      let claimed = 0;
      try {
        claimed = await round();
      } catch (err) {
        log({ level: "error", msg: "webhooks: outbox round failed", error: (err as Error).message });
      }
      // A full batch may mean more are due: go on at once.
      if (claimed < batch) await sleep(pollMs, undefined, { signal: stop.signal }).catch(() => {});
    }
  })();

  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        stop.abort();
        await running;
      })()),
  };
}
