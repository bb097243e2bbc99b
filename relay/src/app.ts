import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { clientIpFrom } from "./client-ip.ts";
import { corsPolicy } from "./cors-policy.ts";
import { draining } from "./draining.ts";
import { createErrorHandler, notFound } from "./error-handler.ts";
import { openApiDocument } from "./openapi-document.ts";
import { PATHS, STAGE_PATHS } from "./protocol.ts";
import { NO_RECORDS } from "./recorder.ts";
import { mountRecords } from "./records/mount-records.ts";
import type { RelayEnv } from "./relay-env.ts";
import type { RelayOptions } from "./relay-options.ts";
import { DEFAULT_SESSIONS_PER_IP_PER_MINUTE, DEFAULT_STREAM_IDLE_MS } from "./relay-options.ts";
import { MemorySessionCoordination } from "./memory-session-coordination.ts";
import { requestLog } from "./request-log.ts";
import { requireSession } from "./require-session.ts";
import { createChatCompletionsRoute } from "./routes/chat-completions-route.ts";
import { createHealthRoutes } from "./routes/health-routes.ts";
import { DEFAULT_REALTIME_LIMITS } from "./realtime/realtime-bridge.ts";
import { createRealtimeRoute } from "./routes/realtime-route.ts";
import { createRealtimeSocketRoute } from "./routes/realtime-socket-route.ts";
import { createRealtimeCallsRoute } from "./routes/realtime-calls-route.ts";
import { createSessionRefreshRoute } from "./routes/session-refresh-route.ts";
import { createSessionsRoute } from "./routes/sessions-route.ts";
import { createSpeechRoute } from "./routes/speech-route.ts";
import { createTranscriptionsRoute } from "./routes/transcriptions-route.ts";
import { turnId } from "./turn-id.ts";
import { secureHeadersPolicy } from "./secure-headers-policy.ts";
import { serverToolWarnings } from "./server-tools/tool-warnings.ts";
import { webhookWarnings } from "./webhooks/webhook-warnings.ts";
import { contextWarnings } from "./page-context.ts";
import { sessionLimits } from "./session-limits.ts";
import { upstreamProbe } from "./upstream-probe.ts";
import { createUpstreamClients, STAGES } from "./upstreams.ts";
import { widgetStatic } from "./widget-static.ts";

export type { RelayOptions } from "./relay-options.ts";

/** Paths of the proxy routes behind the relay token and the agent's limits (the records' session routes are in `mountRecords`). */
const SESSION_PATHS = [...STAGE_PATHS, PATHS.sessionRefresh, PATHS.realtimeClientSecrets, PATHS.realtime, PATHS.realtimeCalls] as const;

/**
 * Builds the relay as a Hono app. It never listens: serve `app.fetch` with any Hono adapter
 * (`serveRelay` in `serve-relay.ts` for Node), or call `app.request()` in tests.
 */
export function createApp(options: RelayOptions): Hono<RelayEnv> {
  const now = options.now ?? Date.now;
  const closing = options.closing ?? new AbortController().signal;
  const streamIdleMs = options.streamIdleMs ?? DEFAULT_STREAM_IDLE_MS;
  const agents = new Map(options.agents.map((agent) => [agent.id, agent]));
  const clients = createUpstreamClients(options.upstreams, options.upstreamTimeoutMs);
  const { tokenSecret, tokenTtlMs, log } = options;
  const probes = Object.fromEntries(STAGES.map((stage) => [stage, upstreamProbe(options.upstreams[stage])]));
  const coordination = options.coordination ?? new MemorySessionCoordination();
  const session = requireSession({ agents, tokenSecret, now, revocations: coordination });
  const limits = sessionLimits({ coordination, scope: "req", idleClock: true, now });

  const app = new Hono<RelayEnv>();
  app.onError(createErrorHandler(log));
  app.notFound(notFound);
  app.use(requestId(), requestLog(log), secureHeadersPolicy());
  // Before draining, so that a browser can read the 503 (and its Retry-After) during a shutdown.
  app.use("/v1/*", corsPolicy(options.agents));
  app.use(draining(closing));
  for (const path of SESSION_PATHS) app.use(path, session, limits);
  for (const path of STAGE_PATHS) app.use(path, turnId());
  const recorder = options.records
    ? mountRecords(app, options.records, {
        agents: options.agents,
        now,
        // The widget's reports have their own per-minute budget, so they never take a turn's; no idle clock.
        session: [session, sessionLimits({ coordination, scope: "rep", idleClock: false, now })],
        activityPaths: SESSION_PATHS,
        revocations: coordination,
      })
    : NO_RECORDS;

  app.route("/", createHealthRoutes({ checks: { ...probes, ...options.readinessChecks }, closing, cacheMs: 2000, log }));
  const document = openApiDocument(options.records !== undefined);
  app.get(PATHS.openApi, (c) => c.json(document));
  const clientIp = options.clientIp ?? clientIpFrom(0);
  const sessionsPerIpPerMinute = options.sessionsPerIpPerMinute ?? DEFAULT_SESSIONS_PER_IP_PER_MINUTE;
  app.route(
    "/",
    createSessionsRoute({
      agents,
      upstreamKind: options.upstreams.kind,
      tokenSecret,
      tokenTtlMs,
      coordination,
      recorder,
      sessionsPerIpPerMinute,
      clientIp,
      now,
      log,
    }),
  );
  app.route("/", createSessionRefreshRoute({ tokenSecret, tokenTtlMs, now }));
  const stage = { streamIdleMs, closing, log };
  app.route("/", createTranscriptionsRoute({ stt: clients.stt, recorder, ...stage }));
  const env = options.env ?? process.env;
  const knowledge = options.knowledge ?? new Map();
  for (const warning of [
    ...contextWarnings(options.agents),
    ...serverToolWarnings(options.agents, env),
    ...webhookWarnings(options.agents),
    ...options.agents
      .filter((a) => a.knowledge && !knowledge.has(a.id))
      .map((a) => `agent ${a.id}: its knowledge is not loaded, so its chats get no passages`),
  ])
    log({ level: "warn", msg: warning });
  const serverTools = { env, ...(options.serverToolLimits ? { serverToolLimits: options.serverToolLimits } : {}) };
  app.route("/", createChatCompletionsRoute({ llm: clients.llm, recorder, knowledge, ...serverTools, ...stage }));
  app.route("/", createSpeechRoute({ tts: clients.tts, recorder, ...stage }));
  app.route("/", createRealtimeRoute({ client: clients.realtime, now, ...stage }));
  const realtime = { upstream: options.upstreams.realtime, limits: options.realtimeLimits ?? DEFAULT_REALTIME_LIMITS };
  app.route("/", createRealtimeSocketRoute({ ...realtime, ...serverTools, recorder, coordination, now, closing, log }));
  app.route(
    "/",
    createRealtimeCallsRoute({
      client: clients.realtime,
      upstream: realtime.upstream,
      ...serverTools,
      ...stage,
      recorder,
      coordination,
      now,
    }),
  );
  if (options.widgetDir) app.use("/*", widgetStatic(options.widgetDir));
  return app;
}
