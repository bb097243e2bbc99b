import type { AdminToken } from "./admin-auth.ts";
import type { BatchingRecordWriter } from "./batching-record-writer.ts";
import type { SessionStore } from "./session-store.ts";

/** The `records` option of `createApp`: where records go and who may read them. */
export interface RecordsOptions {
  /** A migrated store. */
  store: SessionStore;
  /** The writer in front of `store`; its owner flushes and closes it on shutdown. */
  writer: BatchingRecordWriter;
  /** Admin API tokens; empty turns the admin API off (401). */
  adminTokens: readonly AdminToken[];
  /** Days kept for agents without `retentionDays`. */
  defaultRetentionDays: number;
}
