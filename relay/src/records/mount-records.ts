import { Hono, type MiddlewareHandler } from "hono";
import type { AgentConfig } from "../agent-config.ts";
import { PATHS } from "../protocol.ts";
import type { Recorder } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { SessionRevocations } from "../session-revocations.ts";
import { createAdminPurgeRoute } from "../routes/admin-purge-route.ts";
import { createAdminSessionsRoute } from "../routes/admin-sessions-route.ts";
import { createAdminWebhooksRoute } from "../routes/admin-webhooks-route.ts";
import { createForgetVisitorRoute } from "../routes/forget-visitor-route.ts";
import { createSessionEventsRoute } from "../routes/session-events-route.ts";
import type { AdminEnv } from "./admin-auth.ts";
import { requireAdmin } from "./admin-auth.ts";
import { HeldTurns } from "./held-turns.ts";
import { recordActivity } from "./record-activity.ts";
import type { RecordsOptions } from "./records-options.ts";
import { SessionRecorder } from "./session-recorder.ts";
import { StoreRecorder } from "./store-recorder.ts";

/** What {@link mountRecords} shares with the rest of the app. */
export interface MountRecordsDeps {
  agents: readonly AgentConfig[];
  now: () => number;
  /** Middleware in front of the widget's session routes: the relay token, then the agent's body and rate limits. */
  session: MiddlewareHandler<RelayEnv>[];
  /** Paths of the routes that count as a session's activity (behind the relay token and the idle clock). */
  activityPaths: readonly string[];
  /** What `requireSession` checks: ending, deleting or forgetting a session revokes it here. */
  revocations: SessionRevocations;
}

/**
 * Adds record keeping to the relay app: the sessions' activity on `deps.activityPaths` (call after their
 * `requireSession` and before the routes), the widget's report route, "forget me", and the admin API
 * under `/admin`. A session the widget reports ended, an admin deletes or its visitor forgets is revoked
 * in `deps.revocations`. Returns the {@link Recorder} to give the session and stage routes.
 */
export function mountRecords(app: Hono<RelayEnv>, records: RecordsOptions, deps: MountRecordsDeps): Recorder {
  const { store, writer } = records;
  const { now } = deps;
  const recorder = new SessionRecorder(writer, now);
  // A speculative turn's commit is a widget report: whichever instance received it recorded it as an event.
  const turns = new HeldTurns(async (sessionId, turnId) =>
    Boolean((await store.getSession(sessionId))?.events.some((e) => e.type === "turn-committed" && e.payload.turnId === turnId)),
  );
  // A deleted session's end is not at hand: none ends later than now plus the longest session of any agent.
  const longestSessionMs = Math.max(0, ...deps.agents.map((agent) => agent.limits.maxSessionSeconds)) * 1000;
  const revoke = (sessionIds: readonly string[]) => deps.revocations.revoke(sessionIds, now() + longestSessionMs);
  for (const path of deps.activityPaths) app.use(path, recordActivity(recorder));

  for (const path of [PATHS.sessionEvents, PATHS.forgetVisitor]) app.use(path, ...deps.session);
  app.route("/", createSessionEventsRoute(recorder, turns, deps.revocations));
  app.route("/", createForgetVisitorRoute(store, recorder, revoke));

  const policy = { agents: deps.agents, defaultRetentionDays: records.defaultRetentionDays };
  const admin = new Hono<AdminEnv>()
    .use("/admin/*", requireAdmin(records.adminTokens))
    .route("/", createAdminSessionsRoute(store, recorder, revoke))
    .route("/", createAdminPurgeRoute(store, policy, now))
    .route("/", createAdminWebhooksRoute(store));
  app.route("/", admin);
  return new StoreRecorder(recorder, turns, now);
}
