import type { AgentConfig } from "../agent-config.ts";
import type { RelayLog } from "../relay-log.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import { PostgresSessionStore } from "./postgres-session-store.ts";
import type { RecordsConfig } from "./records-config.ts";
import type { RecordsOptions } from "./records-options.ts";
import { startRecordsMaintenance } from "./retention-purge.ts";
import type { SessionStore } from "./session-store.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

/** Open records of a running relay. */
export interface OpenRecords {
  /** Pass as `createApp({ records })`. */
  options: RecordsOptions;
  /** Stops maintenance, commits every queued write, closes the store. Idempotent. */
  close(): Promise<void>;
}

/** Opens the configured store, runs its migrations, and starts the writer and the periodic maintenance. */
export async function openRecords(config: RecordsConfig, agents: readonly AgentConfig[], log: RelayLog): Promise<OpenRecords> {
  const store: SessionStore =
    config.database.kind === "postgres"
      ? new PostgresSessionStore({ connectionString: config.database.url })
      : new SqliteSessionStore(config.database.path);
  await store.migrate();
  const writer = new BatchingRecordWriter(store, { flushIntervalMs: config.flushIntervalMs, log });
  const policy = { agents, defaultRetentionDays: config.defaultRetentionDays };
  const stop = startRecordsMaintenance(store, policy, config.maintenanceIntervalMs, log);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stop();
      await writer.close();
      await store.close();
    })());
  return { options: { store, writer, adminTokens: config.adminTokens, defaultRetentionDays: config.defaultRetentionDays }, close };
}
