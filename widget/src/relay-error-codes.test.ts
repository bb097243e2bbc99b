import { ERROR_CODES } from "@voice-agent/relay/protocol";
import { describe, expect, test } from "vitest";
import { RELAY_ERROR_HANDLING, relayErrorHandling } from "./relay-error-codes.ts";

/** The deliberate handling of every relay code; a new relay code fails here until it is decided. */
const EXPECTED = {
  bad_request: ["bad-request", "fail"],
  unauthorized: ["unauthorized", "fail"],
  token_expired: ["unauthorized", "renew"],
  origin_not_allowed: ["origin-not-allowed", "fail"],
  agent_not_found: ["config", "fail"],
  context_invalid: ["config", "fail"],
  payload_too_large: ["bad-request", "fail"],
  unsupported_media_type: ["bad-request", "fail"],
  not_found: ["bad-request", "fail"],
  forbidden: ["unauthorized", "fail"],
  upstream_error: ["upstream", "fail"],
  upstream_timeout: ["upstream", "fail"],
  internal: ["internal", "fail"],
  rate_limited: ["rate-limited", "fail"],
  session_expired: ["unauthorized", "new-session"],
  session_idle: ["unauthorized", "new-session"],
  session_revoked: ["unauthorized", "new-session"],
  audio_too_long: ["bad-request", "fail"],
  realtime_not_configured: ["config", "fail"],
  not_ready: ["relay-unreachable", "reconnect"],
  shutting_down: ["relay-unreachable", "reconnect"],
} as const;

describe("relay error codes", () => {
  test("every relay code is mapped deliberately, and nothing else", () => {
    expect(Object.keys(RELAY_ERROR_HANDLING).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(EXPECTED).sort()).toEqual([...ERROR_CODES].sort());
  });

  test.each(ERROR_CODES.map((code) => [code] as const))("%s", (code) => {
    const [widgetCode, action] = EXPECTED[code];
    expect(relayErrorHandling(code)).toEqual({ code: widgetCode, action });
  });

  test("a code from a newer relay falls back on the HTTP status", () => {
    expect(relayErrorHandling("brand_new", 429)).toEqual({ code: "rate-limited", action: "fail" });
    expect(relayErrorHandling("brand_new", 503)).toEqual({ code: "relay-unreachable", action: "reconnect" });
    expect(relayErrorHandling("brand_new", 409)).toEqual({ code: "bad-request", action: "fail" });
    expect(relayErrorHandling(undefined, 500)).toEqual({ code: "upstream", action: "fail" });
  });
});
