import type { MiddlewareHandler } from "hono";
import { CLIENT_GONE_STATUS } from "./error-handler.ts";
import type { RelayEnv } from "./relay-env.ts";
import type { RelayLog } from "./relay-log.ts";

/**
 * Logs one line per request: method, path (no query string), status, ms until the response headers
 * (streams go on after that), request id and the widget's turn id (when sent); `outcome: "client-gone"` when the client left before the
 * answer. Headers and bodies are never logged.
 */
export function requestLog(log: RelayLog): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    const start = performance.now();
    await next();
    const { status } = c.res;
    log({
      level: status >= 500 ? "error" : "info",
      msg: "request",
      method: c.req.method,
      path: c.req.path,
      status,
      ...(status === CLIENT_GONE_STATUS ? { outcome: "client-gone" } : {}),
      ms: Math.round(performance.now() - start),
      requestId: c.get("requestId"),
      ...(c.get("turnId") ? { turnId: c.get("turnId") } : {}),
    });
  };
}
