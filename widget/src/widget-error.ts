/** Typed runtime errors of the widget: each drives the state to `error` and surfaces as one DOM event. */

/** Stable error codes of the widget. */
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
  | "config"
  | "internal";

/** A runtime failure with a stable {@link WidgetErrorCode}. */
export class WidgetError extends Error {
  readonly code: WidgetErrorCode;

  constructor(code: WidgetErrorCode, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "WidgetError";
    this.code = code;
  }

  /** Wraps anything thrown into a WidgetError (unknown failures become `internal`). */
  static from(error: unknown): WidgetError {
    if (error instanceof WidgetError) return error;
    return new WidgetError("internal", error instanceof Error ? error.message : String(error), error);
  }
}
