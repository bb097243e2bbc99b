import type { MiddlewareHandler } from "hono";
import { PATHS } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { SessionRecorder } from "./session-recorder.ts";

/**
 * Around the routes that count as the session's activity (behind `requireSession` and the limits): moves
 * the recorded session's lapse to the agent's idle timeout from now, as the relay's own idle clock does,
 * so a long conversation is never recorded as lapsed while it goes on. A token refresh is recorded as a
 * `token-refreshed` event.
 */
export function recordActivity(recorder: SessionRecorder): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    const { sid, end } = c.get("session");
    recorder.activity(sid, c.get("agent").limits.idleTimeoutSeconds * 1000, end * 1000);
    await next();
    if (c.req.path === PATHS.sessionRefresh && c.res.ok) recorder.event(sid, "token-refreshed", {});
  };
}
