import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http-error.ts";

/** Once `closing` is aborted, answers every new request 503 `shutting_down` with `Retry-After: 1`. */
export function draining(closing: AbortSignal): MiddlewareHandler {
  return async (_c, next) => {
    if (closing.aborted) throw new HttpError(503, "shutting_down", "The relay is shutting down: retry.", { retryAfterSeconds: 1 });
    await next();
  };
}
