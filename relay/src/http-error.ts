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

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
  }

  /** The JSON body of the response for this error. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
