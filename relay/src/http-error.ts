import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorBody, ErrorCode } from "./protocol.ts";

/**
 * The one error type of the relay's HTTP surface. Throw it anywhere in a route or middleware; the app's
 * `onError` turns it into `{ error: { code, message } }` with {@link HttpError.status}.
 * The message is sent to the browser: never put secrets, upstream bodies or user content in it.
 */
export class HttpError extends Error {
  /** HTTP status of the response. */
  readonly status: ContentfulStatusCode;
  /** Stable machine-readable code from the protocol. */
  readonly code: ErrorCode;
  /** Seconds the client should wait before trying again; sent as `Retry-After` (429 and 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** The JSON body of the response for this error. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
