import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AgentConfig } from "../agent-config.ts";
import { type ClientIp, ipLimitKey } from "../client-ip.ts";
import { HttpError } from "../http-error.ts";
import type { CreateSessionResponse, UpstreamKind } from "../protocol.ts";
import { greetingMessageId, PATHS } from "../protocol.ts";
import type { Recorder } from "../recorder.ts";
import { readJson } from "../read-json.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { uuidv7 } from "../records/uuid-v7.ts";
import { signRelayToken } from "../relay-token.ts";
import { isServerTool } from "../server-tools/run-server-tool.ts";
import type { SessionCoordination } from "../session-coordination.ts";
import { validateContext } from "../page-context.ts";
import { CreateSessionRequestSchema } from "../wire-schemas.ts";

/** Dependencies of {@link createSessionsRoute}. */
export interface SessionsRouteOptions {
  agents: ReadonlyMap<string, AgentConfig>;
  upstreamKind: UpstreamKind;
  tokenSecret: string;
  /** Token lifetime (ms). */
  tokenTtlMs: number;
  /** Where session creations per client IP are counted and the session's idle clock starts. */
  coordination: SessionCoordination;
  /** Where the new session is recorded (`pending`) before its token leaves. */
  recorder: Recorder;
  /** Session creations allowed per client IP (an IPv6 client per /64) per minute. */
  sessionsPerIpPerMinute: number;
  clientIp: ClientIp;
  now: () => number;
  log: RelayLog;
}

/** Largest accepted `POST /v1/sessions` body (bytes); it bounds the page context, which the token carries. */
export const MAX_SESSION_BODY = 4096;

const sessionBodyLimit = bodyLimit({
  maxSize: MAX_SESSION_BODY,
  onError: () => {
    throw new HttpError(413, "payload_too_large", `Session requests are limited to ${MAX_SESSION_BODY} bytes.`);
  },
});

/**
 * `POST /v1/sessions`: limits creations per client IP, IPv6 per /64 (429 `rate_limited` with `Retry-After`), checks that
 * the agent exists and is enabled (404 `agent_not_found`) and that the request's `Origin` is on its
 * allowlist (403 `origin_not_allowed`) and that the page's `context` keeps the agent's declaration (400
 * `context_invalid`), then answers 201 with a relay token bound to the session, agent and origin, which
 * carries the validated context. The session ends after the agent's `limits.maxSessionSeconds`. The session is recorded
 * `pending` (with the visitor and conversation ids) before the token leaves.
 */
export function createSessionsRoute(options: SessionsRouteOptions): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(PATHS.sessions, sessionBodyLimit, async (c) => {
    const now = options.now();
    const hit = options.coordination.hit(`ip:${ipLimitKey(options.clientIp(c))}`, now, options.sessionsPerIpPerMinute);
    if (!hit.ok) {
      throw new HttpError(429, "rate_limited", "Too many new sessions from this address: try again later.", {
        retryAfterSeconds: hit.retryAfterMs / 1000,
      });
    }
    const { agent: agentId, visitorId, conversationId, mode, context: given } = await readJson(c, CreateSessionRequestSchema);
    const agent = options.agents.get(agentId);
    if (!agent?.enabled) throw new HttpError(404, "agent_not_found", `No enabled agent "${agentId}".`);
    const origin = c.req.header("origin");
    if (!origin || !agent.allowedOrigins.includes(origin)) {
      throw new HttpError(403, "origin_not_allowed", `This origin may not use agent "${agent.id}".`);
    }
    const context = validateContext(agent, given);
    const sessionId = uuidv7(now);
    const end = Math.floor(now / 1000) + agent.limits.maxSessionSeconds;
    const exp = Math.min(Math.floor((now + options.tokenTtlMs) / 1000), end);
    options.coordination.touch(sessionId, now, end * 1000, agent.limits.idleTimeoutSeconds * 1000);
    const token = await signRelayToken({ sid: sessionId, agent: agent.id, origin, exp, end, ctx: context }, options.tokenSecret);
    options.log({ level: "info", msg: "session created", sessionId, agent: agent.id, origin, requestId: c.get("requestId") });
    const serverTools = agent.tools.filter(isServerTool).map((tool) => tool.name);
    const body: CreateSessionResponse = {
      sessionId,
      token,
      expiresAt: exp * 1000,
      sessionEndsAt: end * 1000,
      agent: {
        id: agent.id,
        name: agent.name,
        greeting: agent.greeting,
        speculation: agent.speculation,
        maxToolRounds: agent.maxToolRounds,
        ...(agent.realtime
          ? {
              realtimeTurns: agent.realtime.turnDetection === null ? ("local" as const) : ("provider" as const),
              realtimeWebrtc: agent.realtime.webrtc,
            }
          : {}),
        ...(serverTools.length ? { serverTools } : {}),
      },
      greetingId: greetingMessageId(sessionId),
      upstream: options.upstreamKind,
    };
    await options.recorder.sessionCreated({
      id: sessionId,
      agent: agent.id,
      origin,
      idleTimeoutMs: agent.limits.idleTimeoutSeconds * 1000,
      endsAt: end * 1000,
      ...(visitorId ? { visitorId } : {}),
      ...(conversationId ? { conversationId } : {}),
      ...(mode ? { mode } : {}),
      ...(Object.keys(context).length > 0 ? { context } : {}),
    });
    c.header("cache-control", "no-store");
    return c.json(body, 201);
  });
}
