import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { HTTPException } from "hono/http-exception";
import { HttpError } from "./http-error.ts";
import type { RelayEnv } from "./relay-env.ts";
import type { RelayLog } from "./relay-log.ts";

function fromHonoException(err: HTTPException): HttpError {
  if (err.status === 413) return new HttpError(413, "payload_too_large", "The request body is too large.");
  if (err.status === 401) return new HttpError(401, "unauthorized", "Unauthorized.");
  if (err.status < 500) return new HttpError(err.status, "bad_request", "Bad request.");
  return new HttpError(500, "internal", "Internal error.");
}

/**
 * Status of the answer to a request whose client went away before it (nginx's "client closed request").
 * Nobody reads it; it keeps the request log and the records from counting the client's hang-up (a barge-in
 * aborts the reply's speech request) as a failure of the relay or the upstream.
 */
export const CLIENT_GONE_STATUS = 499;

/**
 * The {@link HttpError} an error is answered with: an HttpError as it is, Hono's own exceptions mapped to
 * the relay's codes, anything else 500 `internal`.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof HTTPException) return fromHonoException(err);
  return new HttpError(500, "internal", "Internal error.");
}

/**
 * The app's one `onError`: every error becomes `{ error: { code, message } }`. A failure while the client
 * is gone (it aborted, or sent a broken body that Node's parser already answered) is answered
 * {@link CLIENT_GONE_STATUS} whatever it was; {@link HttpError}s are answered as they are; anything else
 * unexpected is logged (name and message only) and answered 500 `internal`.
 */
export function createErrorHandler(log: RelayLog): ErrorHandler<RelayEnv> {
  return (err, c) => {
    if (c.req.raw.signal.aborted) {
      const gone = new HttpError(400, "bad_request", "The request was aborted by the client.");
      return c.json(gone.toBody(), CLIENT_GONE_STATUS as ContentfulStatusCode);
    }
    if (!(err instanceof HttpError) && !(err instanceof HTTPException)) {
      log({ level: "error", msg: "unhandled error", requestId: c.get("requestId"), error: `${err.name}: ${err.message}` });
    }
    const httpError = toHttpError(err);
    if (httpError.status >= 500) c.header("cache-control", "no-store");
    if (httpError.retryAfterSeconds !== undefined) c.header("retry-after", String(Math.max(1, Math.ceil(httpError.retryAfterSeconds))));
    return c.json(httpError.toBody(), httpError.status);
  };
}

/** The app's `notFound`: 404 `not_found` JSON, never an HTML page. */
export const notFound: NotFoundHandler<RelayEnv> = (c: Context<RelayEnv>) =>
  c.json(new HttpError(404, "not_found", `No route for ${c.req.method} ${c.req.path}.`).toBody(), 404);
