/** Typed runtime errors of the widget: each drives the state to `error` and surfaces as one DOM event. */

/**
 * Stable error codes of the widget.
 * - `mic-denied`, `no-mic`: no microphone; the text input still works (typing starts a text session).
 * - `audio`, `vad`: audio output or the voice activity model failed to start, or did not within its
 *   deadline (e.g. `start()` called without a user gesture; the message says so).
 * - `relay-unreachable`: network failure, also after the reconnect attempts ran out.
 * - `origin-not-allowed`, `unauthorized`, `bad-request`: the relay refused (site setup, expired token).
 * - `rate-limited`: the relay asked to slow down (`retryAfterMs` when it said how long).
 * - `upstream`: the speech or language provider behind the relay failed.
 * - `storage`: local history could not be written; the widget keeps going in memory (not fatal).
 * - `config`: bad attributes or `.config` (thrown synchronously to the caller as well).
 * - `internal`: a bug; please report it.
 */
export type WidgetErrorCode =
  | "mic-denied"
  | "no-mic"
  | "audio"
  | "vad"
  | "relay-unreachable"
  | "origin-not-allowed"
  | "unauthorized"
  | "rate-limited"
  | "upstream"
  | "bad-request"
  | "storage"
  | "config"
  | "internal";

/** A {@link WidgetError} as plain data, to cross a port (a cloned Error keeps neither its class nor its fields). */
export interface WidgetErrorData {
  code: WidgetErrorCode;
  message: string;
  retryAfterMs?: number | undefined;
  relayCode?: string | undefined;
}

/** A runtime failure with a stable {@link WidgetErrorCode}. */
export class WidgetError extends Error {
  readonly code: WidgetErrorCode;
  /** For `rate-limited`: how long the relay asked to wait (its `Retry-After`), ms. */
  readonly retryAfterMs: number | undefined;
  /** The relay's own error code (`ErrorCode` of its protocol) when the relay refused. */
  readonly relayCode: string | undefined;

  constructor(
    code: WidgetErrorCode,
    message: string,
    cause?: unknown,
    details: { retryAfterMs?: number | undefined; relayCode?: string | undefined } = {},
  ) {
    super(message, { cause });
    this.name = "WidgetError";
    this.code = code;
    this.retryAfterMs = details.retryAfterMs;
    this.relayCode = details.relayCode;
  }

  /** This error as plain data (its cause stays behind). */
  toData(): WidgetErrorData {
    return { code: this.code, message: this.message, retryAfterMs: this.retryAfterMs, relayCode: this.relayCode };
  }

  /** The error that {@link toData} described. */
  static fromData(data: WidgetErrorData): WidgetError {
    return new WidgetError(data.code, data.message, undefined, { retryAfterMs: data.retryAfterMs, relayCode: data.relayCode });
  }

  /** Wraps anything thrown into a WidgetError (unknown failures become `internal`). */
  static from(error: unknown): WidgetError {
    if (error instanceof WidgetError) return error;
    return new WidgetError("internal", error instanceof Error ? error.message : String(error), error);
  }
}
