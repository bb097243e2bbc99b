import { Hono } from "hono";
import type { RefreshSessionResponse } from "../protocol.ts";
import { PATHS } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import { signRelayToken } from "../relay-token.ts";

/** Dependencies of {@link createSessionRefreshRoute}. */
export interface SessionRefreshRouteOptions {
  tokenSecret: string;
  /** Token lifetime (ms). */
  tokenTtlMs: number;
  now: () => number;
}

/**
 * `POST /v1/sessions/refresh` (behind `requireSession`): a fresh token for the caller's own session, with
 * the same session id, agent, origin, page context and session end; its expiry is never after the session's end.
 */
export function createSessionRefreshRoute(options: SessionRefreshRouteOptions): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(PATHS.sessionRefresh, async (c) => {
    const { sid, agent, origin, end, ctx } = c.get("session");
    const exp = Math.min(Math.floor((options.now() + options.tokenTtlMs) / 1000), end);
    const token = await signRelayToken({ sid, agent, origin, exp, end, ...(ctx ? { ctx } : {}) }, options.tokenSecret);
    const body: RefreshSessionResponse = { sessionId: sid, token, expiresAt: exp * 1000, sessionEndsAt: end * 1000 };
    c.header("cache-control", "no-store");
    return c.json(body);
  });
}
