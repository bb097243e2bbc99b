import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http-error.ts";
import { TURN_ID_HEADER, TURN_ID_PATTERN } from "./protocol.ts";
import type { RelayEnv } from "./relay-env.ts";

/**
 * Reads the request's {@link TURN_ID_HEADER} into the context's `turnId` (undefined without one: a widget
 * from before the header).
 *
 * @throws HttpError 400 `bad_request` for a value that is not a turn id
 */
export function turnId(): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    const value = c.req.header(TURN_ID_HEADER);
    if (value !== undefined && !TURN_ID_PATTERN.test(value)) {
      throw new HttpError(400, "bad_request", `Invalid ${TURN_ID_HEADER} header: expected 8-64 letters, digits, _ or -.`);
    }
    c.set("turnId", value);
    await next();
  };
}
