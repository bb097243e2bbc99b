import { Hono } from "hono";
import { ADMIN_PATHS } from "../protocol.ts";
import type { AdminEnv } from "../records/admin-auth.ts";
import type { RetentionPolicy } from "../records/retention-purge.ts";
import { runRecordsMaintenance } from "../records/retention-purge.ts";
import type { SessionStore } from "../records/session-store.ts";

/**
 * `POST /admin/purge` (admin token): runs the retention purge now (and times out lapsed sessions) →
 * `{ timedOut, deletedSessions }`. An agent-scoped token purges only its agents.
 */
export function createAdminPurgeRoute(store: SessionStore, policy: RetentionPolicy, now: () => number): Hono<AdminEnv> {
  return new Hono<AdminEnv>().post(ADMIN_PATHS.purge, async (c) =>
    c.json(await runRecordsMaintenance(store, policy, now(), c.get("adminAgents"))),
  );
}
