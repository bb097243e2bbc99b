import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HttpError } from "./http-error.ts";
import type { RelayEnv } from "./relay-env.ts";
import type { SessionCoordination } from "./session-coordination.ts";

export interface SessionLimitsOptions {
  /** Where requests are counted and idle clocks kept (shared by instances when they share one). */
  coordination: SessionCoordination;
  /** Prefix of the session's request budget: routes with different scopes never use up each other's budget. */
  scope: string;
  /** Whether these routes count as the session's activity and are refused once it went idle. */
  idleClock: boolean;
  /** Clock, epoch ms. */
  now: () => number;
}

/**
 * Enforces the token's agent limits on a request behind `requireSession`: the idle timeout when
 * `idleClock` is set (401 `session_idle`), requests per minute per session (429 `rate_limited` with
 * `Retry-After`) and the request body size (413 `payload_too_large`, from `Content-Length` or while the
 * body streams in).
 */
export function sessionLimits(options: SessionLimitsOptions): MiddlewareHandler<RelayEnv> {
  const tooLarge = (maxSize: number) =>
    new HttpError(413, "payload_too_large", `Request bodies are limited to ${maxSize} bytes for this agent.`);
  const bodyLimits = new Map<number, MiddlewareHandler>();
  /** Hono's limit, which counts a body of unknown length as it streams in. */
  const countingLimit = (maxSize: number) => {
    let limit = bodyLimits.get(maxSize);
    if (!limit) {
      limit = bodyLimit({
        maxSize,
        onError: () => {
          throw tooLarge(maxSize);
        },
      });
      bodyLimits.set(maxSize, limit);
    }
    return limit;
  };
  return async (c, next) => {
    const { sid, end } = c.get("session");
    const { limits } = c.get("agent");
    const now = options.now();
    if (options.idleClock && !options.coordination.touch(sid, now, end * 1000, limits.idleTimeoutSeconds * 1000)) {
      throw new HttpError(401, "session_idle", "The session ended after being idle: create a new session.");
    }
    const hit = options.coordination.hit(`${options.scope}:${sid}`, now, limits.requestsPerMinute);
    if (!hit.ok) {
      throw new HttpError(429, "rate_limited", "Too many requests in this session: slow down.", {
        retryAfterSeconds: hit.retryAfterMs / 1000,
      });
    }
    // A declared length is checked as it is (Node's parser refuses a body longer than it declares), which
    // leaves the body unread for the route's own fast reading; only a body of unknown length is counted.
    const declared = c.req.header("content-length");
    if (declared === undefined || c.req.header("transfer-encoding") !== undefined) return countingLimit(limits.maxBodyBytes)(c, next);
    if (Number(declared) > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes);
    return next();
  };
}
