import type { Hono } from "hono";
import type OpenAI from "openai";
import { HttpError } from "../http-error.ts";
import { PATHS } from "../protocol.ts";
import type { RealtimeClientSecret } from "../protocol.ts";
import { realtimeSession } from "../realtime/realtime-session.ts";
import type { RelayEnv } from "../relay-env.ts";
import { loggableBaseURL } from "../upstreams.ts";
import { stageRoute, type UpstreamStageOptions } from "./upstream-stage.ts";

/** Dependencies of {@link createRealtimeRoute}. */
export interface RealtimeRouteOptions extends UpstreamStageOptions {
  /** Client of the provider that mints realtime client secrets (the realtime upstream). */
  client: OpenAI;
  /** Clock, epoch ms. */
  now: () => number;
}

/** OpenAI's bounds on a client secret's lifetime, seconds. */
const MIN_TTL = 10;
const MAX_TTL = 7200;

/**
 * `POST /v1/realtime/client_secrets` (behind `requireSession`): mints a provider ephemeral key whose
 * session configuration (model, instructions, voice, turn detection, tools) comes from the agent, valid for
 * at most the session's remaining time. The request body is ignored. Answers `{ value, expires_at }`
 * (OpenAI's shape, without the session echo) and `calls_url`, the provider's endpoint for a WebRTC call
 * with the key (the agent's `realtime.webrtc: "direct"`; the realtime upstream's base URL, without any
 * credentials it may carry). 404 `realtime_not_configured` for an agent without
 * `realtime`; 401 `session_expired` with under 10 s of session left; 503 `shutting_down` when the relay
 * shuts down while the provider mints. Not recorded.
 */
export function createRealtimeRoute(options: RealtimeRouteOptions): Hono<RelayEnv> {
  return stageRoute({ path: PATHS.realtimeClientSecrets, stage: "llm", record: () => undefined }, options, async (c, upstream) => {
    const agent = c.get("agent");
    if (!agent.realtime) throw new HttpError(404, "realtime_not_configured", `Agent "${agent.id}" has no realtime mode.`);
    const remaining = Math.floor(c.get("session").end - options.now() / 1000);
    if (remaining < MIN_TTL) throw new HttpError(401, "session_expired", "Too little session time is left: create a new session.");
    // The browser calls the provider with the key: no relay in between to run server tools.
    const session = realtimeSession({ ...agent, realtime: agent.realtime }, { serverTools: false });
    const expiresAfter = { anchor: "created_at" as const, seconds: Math.min(remaining, MAX_TTL) };
    const secret = await upstream.call((signal) =>
      options.client.realtime.clientSecrets.create({ expires_after: expiresAfter, session }, { signal }),
    );
    c.header("cache-control", "no-store");
    const body: RealtimeClientSecret = {
      value: secret.value,
      expires_at: secret.expires_at,
      calls_url: `${loggableBaseURL(options.client.baseURL).replace(/\/+$/, "")}/realtime/calls`,
    };
    return c.json(body);
  });
}
