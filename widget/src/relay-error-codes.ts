/**
 * How the widget treats each relay error code (`ERROR_CODES` of the relay's protocol): which typed
 * widget error it becomes, and what the conversation does about it. Typed as a record over every code,
 * so a new relay code does not compile until it is mapped here.
 */
import type { ErrorCode } from "@voice-agent/relay/protocol";
import { WidgetError, type WidgetErrorCode } from "./widget-error.ts";

/**
 * What the conversation does when the relay answers a code:
 * - `fail`: surface the error (state `error`, `va-error`).
 * - `renew`: the token expired: renew the session (refresh, or a new session for the same
 *   conversation when the relay refuses) and retry the request once.
 * - `new-session`: the session is over (max length, idle, revoked): continue in a new session, same conversation.
 * - `reconnect`: the relay is draining or not ready: reconnect with backoff (`reconnecting`).
 */
export type RelayErrorAction = "fail" | "renew" | "new-session" | "reconnect";

/** The widget's handling of every relay error code. */
export const RELAY_ERROR_HANDLING: Readonly<Record<ErrorCode, { code: WidgetErrorCode; action: RelayErrorAction }>> = {
  bad_request: { code: "bad-request", action: "fail" },
  unauthorized: { code: "unauthorized", action: "fail" },
  token_expired: { code: "unauthorized", action: "renew" },
  origin_not_allowed: { code: "origin-not-allowed", action: "fail" },
  // The `agent` attribute names no enabled agent: a setup error of the page.
  agent_not_found: { code: "config", action: "fail" },
  // `.config.context` has a variable the agent does not declare, or a value outside its rule: a setup error of the page.
  context_invalid: { code: "config", action: "fail" },
  payload_too_large: { code: "bad-request", action: "fail" },
  unsupported_media_type: { code: "bad-request", action: "fail" },
  // A route this relay does not have (an older relay).
  not_found: { code: "bad-request", action: "fail" },
  forbidden: { code: "unauthorized", action: "fail" },
  upstream_error: { code: "upstream", action: "fail" },
  upstream_timeout: { code: "upstream", action: "fail" },
  internal: { code: "internal", action: "fail" },
  rate_limited: { code: "rate-limited", action: "fail" },
  session_expired: { code: "unauthorized", action: "new-session" },
  session_idle: { code: "unauthorized", action: "new-session" },
  // Ended, deleted by an admin or forgotten: like an ended session, a new one continues the conversation.
  session_revoked: { code: "unauthorized", action: "new-session" },
  audio_too_long: { code: "bad-request", action: "fail" },
  realtime_not_configured: { code: "config", action: "fail" },
  not_ready: { code: "relay-unreachable", action: "reconnect" },
  shutting_down: { code: "relay-unreachable", action: "reconnect" },
};

/** The handling of a relay code; unknown codes (a newer relay) by HTTP status. */
export function relayErrorHandling(relayCode: string | undefined, status?: number): { code: WidgetErrorCode; action: RelayErrorAction } {
  const known =
    relayCode === undefined
      ? undefined
      : (RELAY_ERROR_HANDLING as Record<string, { code: WidgetErrorCode; action: RelayErrorAction }>)[relayCode];
  if (known) return known;
  if (status === 429) return { code: "rate-limited", action: "fail" };
  if (status === 503) return { code: "relay-unreachable", action: "reconnect" };
  return { code: status !== undefined && status < 500 ? "bad-request" : "upstream", action: "fail" };
}

/** Failures a conversation survives by reconnecting (network, a draining relay) or by a new session. */
export function recoverable(error: WidgetError): boolean {
  if (error.code === "relay-unreachable") return true;
  const { action } = relayErrorHandling(error.relayCode);
  return action === "reconnect" || action === "new-session" || action === "renew";
}

/** The relay refused the token as expired: the caller renews it (`Transport.onTokenExpired`) and sends the request once more. */
export function renewsToken(error: unknown): boolean {
  return error instanceof WidgetError && relayErrorHandling(error.relayCode).action === "renew";
}
