/**
 * Wire types shared by the relay and the widget. Dependency-free: the widget imports this file with
 * `import type` only, plus the few constants below.
 */

/** Sample rate (Hz) of the WAV utterances the widget uploads for transcription. */
export const STT_SAMPLE_RATE = 16_000;

/** Sample rate (Hz) of the raw 16-bit little-endian mono PCM that `/v1/audio/speech` streams back. */
export const TTS_SAMPLE_RATE = 24_000;

/**
 * The relay's paths, the one place they are written: the app, its routes, the records, the OpenAPI
 * document and the widget's relay client all take them from here. Parameters are Hono's (`:id`).
 */
export const PATHS = {
  /** `POST` a {@link CreateSessionRequest} (no token): 201 {@link CreateSessionResponse}. */
  sessions: "/v1/sessions",
  /**
   * `POST` with a valid relay token (no body): a {@link RefreshSessionResponse} with a fresh token for the
   * same session, while the session lives.
   */
  sessionRefresh: "/v1/sessions/refresh",
  /** `POST` multipart (`file`, a 16 kHz WAV utterance; `stream`, `language`): the transcript. */
  transcriptions: "/v1/audio/transcriptions",
  /** `POST` the conversation (OpenAI's chat shape, `stream: true`): the reply as SSE. */
  chatCompletions: "/v1/chat/completions",
  /** `POST` `{ input }`: the speech as `audio/pcm` at {@link TTS_SAMPLE_RATE}. */
  speech: "/v1/audio/speech",
  /**
   * `POST` with a relay token (body ignored): OpenAI's client secret (`{ value, expires_at }`) for the
   * agent's realtime configuration.
   */
  realtimeClientSecrets: "/v1/realtime/client_secrets",
  /** `POST` a {@link SessionReportRequest} with the relay token: 202 `{ accepted }` (records on). */
  sessionEvents: "/v1/session-events",
  /** "Forget me": `DELETE` with a relay token deletes every record of the token's visitor (records on). */
  forgetVisitor: "/v1/visitor",
  /** `GET`: liveness, `{ ok: true }`. */
  health: "/healthz",
  /** `GET`: readiness (the upstreams and the store answer). */
  ready: "/readyz",
  /** `GET`: the relay's OpenAPI 3.1 document. */
  openApi: "/openapi.json",
  /** Admin API (admin token, records on): `GET` lists sessions. */
  adminSessions: "/admin/sessions",
  /** Admin API: `GET` one session with its messages and events, `DELETE` it. */
  adminSession: "/admin/sessions/:id",
  /** Admin API: `GET` one session as a JSON download. */
  adminSessionExport: "/admin/sessions/:id/export",
  /** Admin API: `POST` times out lapsed sessions and applies retention now. */
  adminPurge: "/admin/purge",
} as const;

/** Paths of the upstream stages a visitor's turn goes through; their requests carry {@link TURN_ID_HEADER}. */
export const STAGE_PATHS = [PATHS.transcriptions, PATHS.chatCompletions, PATHS.speech] as const;

/** Body of `POST /v1/sessions`. The `Origin` header must be on the agent's allowlist. */
export interface CreateSessionRequest {
  /** Agent id from the relay's agent configuration. */
  agent: string;
  /**
   * Random id (≥ 128 bits, base64url or UUID) the widget keeps in the visitor's browser. It is a bearer
   * secret: whoever holds it may "forget" that visitor's records; the relay stores only a hash of it.
   */
  visitorId?: string;
  /** Id of the local conversation this session continues (after a reload); links sessions in the records. */
  conversationId?: string;
}

/** Answer of `POST /v1/sessions/refresh`. */
export interface RefreshSessionResponse {
  sessionId: string;
  token: string;
  /** When the new token stops being accepted, epoch milliseconds (never after `sessionEndsAt`). */
  expiresAt: number;
  /** When the session ends for good (the agent's max session seconds), epoch milliseconds. */
  sessionEndsAt: number;
}

/** Response of `DELETE` {@link PATHS.forgetVisitor}. */
export interface ForgetVisitorResponse {
  /** How many sessions (with their messages and events) were deleted. */
  deletedSessions: number;
}

/**
 * Response header of `/v1/audio/transcriptions` and `/v1/chat/completions` naming the record id of the
 * message the response carries (when the relay keeps records); reports refer to it as `messageId`.
 */
export const RECORD_ID_HEADER = "x-record-id";

/**
 * Request header naming the visitor's turn a request belongs to. The widget makes one id per turn (a
 * random UUID) and sends it on every request of that turn: the transcription, each chat round, each
 * sentence's speech. The relay records it as the messages' `utteranceId` and in its events, so a turn's
 * transcript, typed text, replies, tool results and reports can be joined. 8–64 letters, digits, `_` or
 * `-`; anything else is refused with 400 `bad_request`. Optional: a request without it (a widget from
 * before the header) is its own turn, and its chat request's last user message is not recorded as typed
 * text (the relay cannot tell it from the transcript it already recorded).
 */
export const TURN_ID_HEADER = "x-turn-id";

/** What a valid {@link TURN_ID_HEADER} value looks like. */
export const TURN_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Latencies of one turn, ms. The widget measures the unprefixed ones (what the visitor waits for) and
 * reports them with `turn-latency`; the relay measures the `upstream…` ones from a request's arrival and
 * records them on the messages. A key has the same meaning wherever it appears: the widget's local history,
 * its `va-metrics` event, the report and the session records.
 */
export interface TurnLatency {
  /** Widget: end of the visitor's speech → transcript received. */
  sttMs?: number;
  /** Widget: chat request sent → first text delta. */
  llmFirstTokenMs?: number;
  /** Widget: chat request sent → end of the reply's stream (its last round, with tools). */
  llmTotalMs?: number;
  /** Widget: first sentence sent to TTS → its first audio. */
  ttsFirstByteMs?: number;
  /** Widget: end of the visitor's speech (or typed text) → first reply audio queued: the latency the visitor feels. */
  turnMs?: number;
  /** Relay: transcription request arrived → transcript from the upstream. */
  upstreamSttMs?: number;
  /** Relay: chat request arrived → first text from the upstream. */
  upstreamLlmFirstTokenMs?: number;
  /** Relay: chat request arrived → end of the upstream's stream. */
  upstreamLlmTotalMs?: number;
}

/** How a session ended, from the widget's side. */
export type SessionEndReason =
  /** The visitor pressed stop (recorded `completed`, or `cancelled` before any turn). */
  | "hangup"
  /** The page went away mid-session (recorded `cancelled`); send with `fetch(…, { keepalive: true })`. */
  | "unload"
  /** The widget hit an error it cannot recover from (recorded `failed`). */
  | "error";

/**
 * One thing only the widget knows. `at` is the widget's clock (epoch ms) when it happened; the relay
 * records it as `clientAt` and places the report on its own clock (see {@link SessionReportRequest.sentAt}).
 */
export type SessionReport = { at?: number } & (
  /** The session started: microphone open. Marks the session `active`. */
  | { type: "start"; sampleRate?: number; language?: string }
  /** The widget began to speak the agent's greeting; recorded as the assistant message {@link CreateSessionResponse.greetingId}. */
  | { type: "greeting" }
  /** A conversation state change (`listening`, `thinking`, `responding`, `interrupted`, …). */
  | { type: "state"; state: string }
  /** Barge-in: the visitor heard only `heardText` of the reply with record id `messageId`, of turn `turnId`. */
  | { type: "interruption"; messageId: string; turnId?: string; heardText: string; playedMs?: number }
  /** The widget-measured latencies of turn `turnId`; `messageId` is the reply's record id, which gets them. */
  | { type: "turn-latency"; messageId?: string; turnId?: string; latency: TurnLatency }
  | { type: "error"; code: string; message?: string }
  | { type: "end"; reason: SessionEndReason }
);

/** Body of `POST` {@link PATHS.sessionEvents}: 1–50 reports, answered 202 `{ accepted }`. */
export interface SessionReportRequest {
  reports: SessionReport[];
  /**
   * The widget's clock when it sent the batch (epoch ms). With each report's `at`, the relay places the
   * reports on its own clock at the time they happened rather than when the batch arrived.
   */
  sentAt?: number;
}

/** Which upstream the relay forwards to; the widget labels the offline demo upstream visibly. */
export type UpstreamKind = "provider" | "offline-demo";

/** Answer of `POST /v1/sessions`. */
export interface CreateSessionResponse {
  /** Session id (UUID). */
  sessionId: string;
  /** Relay token: a bearer token for the `/v1/*` proxy routes, bound to session, agent and origin. */
  token: string;
  /** When the token stops being accepted, epoch milliseconds; refresh it before then. */
  expiresAt: number;
  /** When the session ends for good (the agent's max session seconds), epoch milliseconds. */
  sessionEndsAt: number;
  agent: { id: string; name: string; greeting: string };
  /** Record id of the greeting ({@link greetingMessageId}): the `messageId` of an interruption of the greeting. */
  greetingId: string;
  upstream: UpstreamKind;
}

/**
 * Record id of a session's greeting: one per session, so a `greeting` report sent twice records it once.
 * Record ids are opaque to the widget; the relay's `x-record-id` ids are UUIDv7.
 */
export function greetingMessageId(sessionId: string): string {
  return `${sessionId}:greeting`;
}

/** One chat message as the widget sends it. System messages are never accepted from the browser. */
export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

/**
 * Body of `POST /v1/chat/completions` as the relay accepts it from the browser (a subset of OpenAI's).
 * Model, system prompt, temperature and token limits come from the agent configuration.
 */
export interface ChatRequest {
  messages: ChatMessage[];
  stream: true;
}

/**
 * Body of `POST /v1/audio/speech` as the relay accepts it from the browser. Model, voice and speed come
 * from the agent configuration; the answer is streamed `audio/pcm` at {@link TTS_SAMPLE_RATE}.
 */
export interface SpeechRequest {
  input: string;
}

/** Stable error codes of the relay. Every error response is an {@link ErrorBody}. */
export const ERROR_CODES = [
  "bad_request",
  "unauthorized",
  "token_expired",
  "origin_not_allowed",
  "agent_not_found",
  "payload_too_large",
  "unsupported_media_type",
  "not_found",
  "forbidden",
  "upstream_error",
  "upstream_timeout",
  "internal",
  "rate_limited",
  "session_expired",
  "session_idle",
  "session_revoked",
  "audio_too_long",
  "realtime_not_configured",
  "not_ready",
  "shutting_down",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one JSON shape of every error response of the relay. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
