import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AgentConfig } from "./agent-config.ts";

/**
 * CORS for `/v1/*`: reflects an origin only when some enabled agent allows it (with `Vary: Origin`).
 * Preflights echo the requested headers, which covers `authorization`, `content-type` and the
 * `x-stainless-*` headers the openai SDK sends; the auth middleware is what actually protects the routes.
 */
export function corsPolicy(agents: readonly AgentConfig[]): MiddlewareHandler {
  const allowed = new Set(agents.filter((a) => a.enabled).flatMap((a) => a.allowedOrigins));
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ["POST", "GET", "DELETE", "OPTIONS"],
    // Retry-After is not a CORS-safelisted response header: without this the widget cannot read the wait.
    exposeHeaders: ["x-sample-rate", "x-request-id", "x-record-id", "retry-after"],
    maxAge: 600,
  });
}
