import type { AgentConfig } from "../agent-config.ts";
import type { RelayLog } from "../relay-log.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import { MemorySessionCoordination } from "../memory-session-coordination.ts";
import type { SessionCoordination } from "../session-coordination.ts";
import { PostgresSessionCoordination } from "./postgres-session-coordination.ts";
import { PostgresSessionStore } from "./postgres-session-store.ts";
import type { RecordsConfig } from "./records-config.ts";
import type { RecordsOptions } from "./records-options.ts";
import { startRecordsMaintenance } from "./retention-purge.ts";
import type { SessionStore } from "./session-store.ts";
import { SqliteSessionRevocations } from "./sqlite-session-revocations.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";
import { DEFAULT_RETRY_POLICY } from "../webhooks/webhook-backoff.ts";
import type { WebhookSecrets } from "../webhooks/webhook-secrets.ts";
import { startWebhookWorker } from "../webhooks/webhook-worker.ts";

/** Open records of a running relay. */
export interface OpenRecords {
  /** Pass as `createApp({ records })`. */
  options: RecordsOptions;
  /**
   * Pass as `createApp({ coordination })`: shared by every instance on the same PostgreSQL database; with
   * SQLite, this instance's (revocations kept in the records file, so a restart does not bring back a
   * deleted session).
   */
  coordination: SessionCoordination;
  /**
   * Stops maintenance and the webhook worker (waiting for its attempts in flight), commits every queued
   * write, closes the store and the coordination. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Opens the configured store, runs its migrations, and starts the writer, the periodic maintenance and the
 * webhook delivery worker (signing with `webhookSecrets`, see `resolveWebhookSecrets`); opens the
 * {@link SessionCoordination} beside it (shared through PostgreSQL, or this instance's with its
 * revocations in the SQLite file).
 */
export async function openRecords(
  config: RecordsConfig,
  agents: readonly AgentConfig[],
  log: RelayLog,
  webhookSecrets: WebhookSecrets = new Map(),
): Promise<OpenRecords> {
  const store: SessionStore =
    config.database.kind === "postgres"
      ? new PostgresSessionStore({ connectionString: config.database.url })
      : new SqliteSessionStore(config.database.path);
  await store.migrate();
  const coordination: SessionCoordination =
    config.database.kind === "postgres"
      ? await PostgresSessionCoordination.open({ connectionString: config.database.url, log })
      : new MemorySessionCoordination(new SqliteSessionRevocations(config.database.path));
  const writer = new BatchingRecordWriter(store, { flushIntervalMs: config.flushIntervalMs, log });
  const policy = { agents, defaultRetentionDays: config.defaultRetentionDays };
  const stop = startRecordsMaintenance(store, policy, config.maintenanceIntervalMs, log);
  const webhooks = startWebhookWorker({
    outbox: store,
    agents,
    secrets: webhookSecrets,
    log,
    pollMs: config.webhooks.pollMs,
    timeoutMs: config.webhooks.timeoutMs,
    retry: { ...DEFAULT_RETRY_POLICY, backoffBaseMs: config.webhooks.backoffBaseMs },
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stop();
      await webhooks.close();
      await writer.close();
      await coordination.close();
      await store.close();
    })());
  return {
    options: { store, writer, adminTokens: config.adminTokens, defaultRetentionDays: config.defaultRetentionDays },
    coordination,
    close,
  };
}
