import type { MiddlewareHandler } from "hono";
import type { AgentConfig } from "./agent-config.ts";
import { HttpError } from "./http-error.ts";
import { sessionAgent } from "./page-context.ts";
import type { RelayEnv } from "./relay-env.ts";
import { verifyRelayToken } from "./relay-token.ts";
import type { SessionRevocations } from "./session-revocations.ts";

export interface RequireSessionOptions {
  agents: ReadonlyMap<string, AgentConfig>;
  tokenSecret: string;
  /** Clock, epoch ms. */
  now: () => number;
  /** Sessions ended, deleted or forgotten before their end; default none. */
  revocations?: SessionRevocations;
}

/** The `Sec-WebSocket-Protocol` entry that carries a key where a browser's WebSocket cannot set headers (OpenAI's convention). */
const KEY_PROTOCOL = "openai-insecure-api-key.";

/**
 * Guards the proxy routes: requires `Authorization: Bearer <relay token>` (on a WebSocket upgrade, a
 * browser's `Sec-WebSocket-Protocol` entry `openai-insecure-api-key.<token>` does too), checks that a
 * request's `Origin` (when present) is the token's origin, refuses a revoked session (401
 * `session_revoked`), and puts the token's claims and agent on the context as `session` and `agent` (the
 * agent's system prompt with the session's page context inserted, see `sessionAgent`).
 */
export function requireSession(options: RequireSessionOptions): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    const token =
      /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ??
      webSocketToken(c.req.header("upgrade"), c.req.header("sec-websocket-protocol"));
    if (!token) {
      throw new HttpError(401, "unauthorized", "Missing relay token: send Authorization: Bearer <token> from POST /v1/sessions.");
    }
    const claims = await verifyRelayToken(token, options.tokenSecret, options.now());
    if (options.revocations?.isRevoked(claims.sid)) {
      throw new HttpError(401, "session_revoked", "This session was ended or deleted: create a new session.");
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== claims.origin) {
      throw new HttpError(403, "origin_not_allowed", "This relay token belongs to another origin.");
    }
    const agent = options.agents.get(claims.agent);
    if (!agent?.enabled) throw new HttpError(404, "agent_not_found", `Agent "${claims.agent}" is not available.`);
    c.set("session", claims);
    c.set("agent", sessionAgent(agent, claims.ctx ?? {}));
    await next();
  };
}

/** The token of a WebSocket upgrade's `openai-insecure-api-key.<token>` protocol entry, if any. */
function webSocketToken(upgrade: string | undefined, protocols: string | undefined): string | undefined {
  if (upgrade?.toLowerCase() !== "websocket" || !protocols) return undefined;
  const entry = protocols
    .split(",")
    .map((p) => p.trim())
    .find((p) => p.startsWith(KEY_PROTOCOL));
  return entry?.slice(KEY_PROTOCOL.length) || undefined;
}
