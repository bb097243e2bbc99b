/** The `type` values the stand-in uses in error bodies, as the OpenAI API does. */
export type StandinErrorType = "invalid_request_error" | "authentication_error" | "server_error";

/** The HTTP statuses the stand-in answers errors with. */
export type StandinErrorStatus = 400 | 401 | 404 | 429 | 500 | 502 | 503;

/** The JSON body of every error response: the OpenAI error envelope. */
export interface OpenAiErrorBody {
  error: { message: string; type: StandinErrorType; param: string | null; code: string | null };
}

/**
 * A request the stand-in refuses. Thrown from route handlers and turned into an OpenAI-style
 * `{ error: { message, type, param, code } }` response by the app's error handler.
 */
export class StandinError extends Error {
  /** HTTP status, e.g. 400 or 401. */
  readonly status: StandinErrorStatus;
  /** OpenAI error `type`. */
  readonly type: StandinErrorType;
  /** Machine-readable code, e.g. `invalid_wav`. */
  readonly code: string;
  /** The request field at fault, if any. */
  readonly param: string | null;

  constructor(
    status: StandinErrorStatus,
    code: string,
    message: string,
    options: { param?: string; type?: StandinErrorType; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "StandinError";
    this.status = status;
    this.code = code;
    this.param = options.param ?? null;
    this.type = options.type ?? (status === 401 ? "authentication_error" : status >= 500 ? "server_error" : "invalid_request_error");
  }

  /** A 400 `invalid_request_error` about request field `param`. */
  static badRequest(code: string, message: string, param: string): StandinError {
    return new StandinError(400, code, message, { param });
  }

  /** The response body for this error. */
  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}
