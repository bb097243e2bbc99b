import type { AgentConfig } from "../agent-config.ts";
import type { RelayLog } from "../relay-log.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import type { SessionCoordination } from "../session-coordination.ts";
import { PostgresSessionCoordination } from "./postgres-session-coordination.ts";
import type { SessionRevocations } from "../session-revocations.ts";
import { PostgresSessionRevocations } from "./postgres-session-revocations.ts";
import { PostgresSessionStore } from "./postgres-session-store.ts";
import type { RecordsConfig } from "./records-config.ts";
import type { RecordsOptions } from "./records-options.ts";
import { startRecordsMaintenance } from "./retention-purge.ts";
import type { SessionStore } from "./session-store.ts";
import { SqliteSessionRevocations } from "./sqlite-session-revocations.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

/** Open records of a running relay. */
export interface OpenRecords {
  /** Pass as `createApp({ records })`. */
  options: RecordsOptions;
  /**
   * Pass as `createApp({ coordination })`: shared by every instance on the same PostgreSQL database;
   * undefined with SQLite (one instance: the app's default, in memory).
   */
  coordination: SessionCoordination | undefined;
  /** Stops maintenance, commits every queued write, closes the store, the coordination and the revocations. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the configured store, runs its migrations, and starts the writer and the periodic maintenance;
 * with PostgreSQL, also the instances' shared {@link SessionCoordination}; opens the session revocations
 * beside the store (in the same SQLite file, or shared in PostgreSQL).
 */
export async function openRecords(config: RecordsConfig, agents: readonly AgentConfig[], log: RelayLog): Promise<OpenRecords> {
  const store: SessionStore =
    config.database.kind === "postgres"
      ? new PostgresSessionStore({ connectionString: config.database.url })
      : new SqliteSessionStore(config.database.path);
  await store.migrate();
  const coordination =
    config.database.kind === "postgres" ? await PostgresSessionCoordination.open({ connectionString: config.database.url, log }) : undefined;
  const revocations: SessionRevocations =
    config.database.kind === "postgres"
      ? await PostgresSessionRevocations.open({ connectionString: config.database.url, log })
      : new SqliteSessionRevocations(config.database.path);
  const writer = new BatchingRecordWriter(store, { flushIntervalMs: config.flushIntervalMs, log });
  const policy = { agents, defaultRetentionDays: config.defaultRetentionDays };
  const stop = startRecordsMaintenance(store, policy, config.maintenanceIntervalMs, log);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stop();
      await writer.close();
      await coordination?.close();
      await store.close();
      await revocations.close();
    })());
  return {
    options: { store, writer, adminTokens: config.adminTokens, defaultRetentionDays: config.defaultRetentionDays, revocations },
    coordination,
    close,
  };
}
