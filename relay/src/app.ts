import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { corsPolicy } from "./cors-policy.ts";
import { createErrorHandler, notFound } from "./error-handler.ts";
import { mountRecords } from "./records/mount-records.ts";
import type { RelayEnv } from "./relay-env.ts";
import type { RelayOptions } from "./relay-options.ts";
import { requestLog } from "./request-log.ts";
import { requireSession } from "./require-session.ts";
import { createChatCompletionsRoute } from "./routes/chat-completions-route.ts";
import { createSessionsRoute } from "./routes/sessions-route.ts";
import { createSpeechRoute } from "./routes/speech-route.ts";
import { createTranscriptionsRoute } from "./routes/transcriptions-route.ts";
import { createUpstreamClients } from "./upstreams.ts";
import { widgetStatic } from "./widget-static.ts";

export type { RelayOptions } from "./relay-options.ts";

/** Paths of the proxy routes, all behind the relay token. */
const PROXY_PATHS = ["/v1/audio/transcriptions", "/v1/chat/completions", "/v1/audio/speech"] as const;

/**
 * Builds the relay as a Hono app. It never listens: serve `app.fetch` with any Hono adapter
 * (`main.ts` uses `@hono/node-server`), or call `app.request()` in tests.
 */
export function createApp(options: RelayOptions): Hono<RelayEnv> {
  const now = options.now ?? Date.now;
  const agents = new Map(options.agents.map((agent) => [agent.id, agent]));
  const clients = createUpstreamClients(options.upstreams, options.upstreamTimeoutMs);
  const { tokenSecret, tokenTtlMs, log } = options;

  const app = new Hono<RelayEnv>();
  app.onError(createErrorHandler(log));
  app.notFound(notFound);
  app.use(requestId(), requestLog(log));
  app.use("/v1/*", corsPolicy(options.agents));
  for (const path of PROXY_PATHS) app.use(path, requireSession({ agents, tokenSecret, now }));
  if (options.records) mountRecords(app, options.records, { agents: options.agents, tokenSecret, now });

  app.get("/healthz", (c) => c.json({ ok: true }));
  app.route("/", createSessionsRoute({ agents, upstreamKind: options.upstreams.kind, tokenSecret, tokenTtlMs, now, log }));
  app.route("/", createTranscriptionsRoute(clients.stt));
  app.route("/", createChatCompletionsRoute(clients.llm, log));
  app.route("/", createSpeechRoute(clients.tts));
  if (options.widgetDir) app.use("/*", widgetStatic(options.widgetDir));
  return app;
}
