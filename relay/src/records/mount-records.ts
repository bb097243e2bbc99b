import { Hono, type MiddlewareHandler } from "hono";
import type { AgentConfig } from "../agent-config.ts";
import { FORGET_VISITOR_PATH, SESSION_EVENTS_PATH, SESSIONS_PATH } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { SessionRevocations } from "../session-revocations.ts";
import { createAdminPurgeRoute } from "../routes/admin-purge-route.ts";
import { createAdminSessionsRoute } from "../routes/admin-sessions-route.ts";
import { createForgetVisitorRoute } from "../routes/forget-visitor-route.ts";
import { createSessionEventsRoute } from "../routes/session-events-route.ts";
import type { AdminEnv } from "./admin-auth.ts";
import { requireAdmin } from "./admin-auth.ts";
import { captureChatReply } from "./capture-chat-reply.ts";
import { captureSessionCreation } from "./capture-session-creation.ts";
import { captureSpeech } from "./capture-speech.ts";
import { captureTranscription } from "./capture-transcription.ts";
import { recordActivity } from "./record-activity.ts";
import type { RecordsOptions } from "./records-options.ts";
import { SessionRecorder } from "./session-recorder.ts";

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
 * Adds record keeping to the relay app: capture middleware around the session and proxy routes (call
 * after the proxy routes' `requireSession` and before the routes), the widget's report route, "forget
 * me", and the admin API under `/admin`. A session the widget reports ended, an admin deletes or its
 * visitor forgets is revoked in `deps.revocations`.
 */
export function mountRecords(app: Hono<RelayEnv>, records: RecordsOptions, deps: MountRecordsDeps): void {
  const { store, writer } = records;
  const { now } = deps;
  const recorder = new SessionRecorder(writer, now);
  // A deleted session's end is not at hand: none ends later than now plus the longest session of any agent.
  const longestSessionMs = Math.max(0, ...deps.agents.map((agent) => agent.limits.maxSessionSeconds)) * 1000;
  const revoke = (sessionIds: readonly string[]) => deps.revocations.revoke(sessionIds, now() + longestSessionMs);
  app.use(SESSIONS_PATH, captureSessionCreation(recorder, new Map(deps.agents.map((agent) => [agent.id, agent]))));
  for (const path of deps.activityPaths) app.use(path, recordActivity(recorder));
  app.use("/v1/audio/transcriptions", captureTranscription(recorder, now));
  app.use("/v1/chat/completions", captureChatReply(recorder, now));
  app.use("/v1/audio/speech", captureSpeech(recorder));

  for (const path of [SESSION_EVENTS_PATH, FORGET_VISITOR_PATH]) app.use(path, ...deps.session);
  app.route("/", createSessionEventsRoute(recorder, deps.revocations));
  app.route("/", createForgetVisitorRoute(store, recorder, revoke));

  const policy = { agents: deps.agents, defaultRetentionDays: records.defaultRetentionDays };
  const admin = new Hono<AdminEnv>()
    .use("/admin/*", requireAdmin(records.adminTokens))
    .route("/", createAdminSessionsRoute(store, recorder, revoke))
    .route("/", createAdminPurgeRoute(store, policy, now));
  app.route("/", admin);
}
