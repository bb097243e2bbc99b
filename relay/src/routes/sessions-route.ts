import { Hono } from "hono";
import { z } from "zod";
import type { AgentConfig } from "../agent-config.ts";
import { HttpError } from "../http-error.ts";
import type { CreateSessionResponse, UpstreamKind } from "../protocol.ts";
import { SESSIONS_PATH } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { uuidv7 } from "../records/uuid-v7.ts";
import { signRelayToken } from "../relay-token.ts";

/** Dependencies of {@link createSessionsRoute}. */
export interface SessionsRouteOptions {
  agents: ReadonlyMap<string, AgentConfig>;
  upstreamKind: UpstreamKind;
  tokenSecret: string;
  /** Token lifetime (ms). */
  tokenTtlMs: number;
  now: () => number;
  log: RelayLog;
}

const CreateSessionSchema = z.object({ agent: z.string().min(1).max(64) });

/**
 * `POST /v1/sessions`: checks that the agent exists and is enabled (404 `agent_not_found`) and that the
 * request's `Origin` is on its allowlist (403 `origin_not_allowed`), then answers 201 with a relay token
 * bound to the session, agent and origin.
 */
export function createSessionsRoute(options: SessionsRouteOptions): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(SESSIONS_PATH, async (c) => {
    const { agent: agentId } = await readJson(c, CreateSessionSchema);
    const agent = options.agents.get(agentId);
    if (!agent?.enabled) throw new HttpError(404, "agent_not_found", `No enabled agent "${agentId}".`);
    const origin = c.req.header("origin");
    if (!origin || !agent.allowedOrigins.includes(origin)) {
      throw new HttpError(403, "origin_not_allowed", `This origin may not use agent "${agent.id}".`);
    }
    const sessionId = uuidv7(options.now());
    const exp = Math.floor((options.now() + options.tokenTtlMs) / 1000);
    const token = await signRelayToken({ sid: sessionId, agent: agent.id, origin, exp }, options.tokenSecret);
    options.log({ level: "info", msg: "session created", sessionId, agent: agent.id, origin, requestId: c.get("requestId") });
    const body: CreateSessionResponse = {
      sessionId,
      token,
      expiresAt: exp * 1000,
      agent: { id: agent.id, name: agent.name, greeting: agent.greeting },
      upstream: options.upstreamKind,
    };
    c.header("cache-control", "no-store");
    return c.json(body, 201);
  });
}
