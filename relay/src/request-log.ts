import type { MiddlewareHandler } from "hono";
import type { RelayEnv } from "./relay-env.ts";
import type { RelayLog } from "./relay-log.ts";

/**
 * Logs one line per request: method, path (no query string), status, ms until the response headers
 * (streams go on after that) and request id. Headers and bodies are never logged.
 */
export function requestLog(log: RelayLog): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    log({
      level: c.res.status >= 500 ? "error" : "info",
      msg: "request",
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - start),
      requestId: c.get("requestId"),
    });
  };
}
