/**
 * What the relay and the widget share: paths, headers, constants, and the wire types. Dependency-free at
 * run time: the types are inferred from the zod schemas in `wire-schemas.ts` (the one definition of each
 * body, which the relay validates with and the OpenAPI document is generated from) and imported here
 * with `import type` only, so the widget's bundle never contains zod.
 */
import type { z } from "zod";
import type * as wire from "./wire-schemas.ts";

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
  /**
   * `GET`, WebSocket: a realtime (speech-to-speech) call through the relay, OpenAI Realtime GA events both
   * ways. The relay token comes as `Authorization: Bearer`, or from a browser as the `Sec-WebSocket-Protocol`
   * entries `realtime` and `openai-insecure-api-key.<token>`.
   */
  realtime: "/v1/realtime",
  /**
   * `POST` the browser's WebRTC SDP offer (`application/sdp`) with the relay token: `201` with the
   * provider's SDP answer (`application/sdp`) and `Location` naming the call; the relay holds the call's
   * sideband (records, server tools, the agent's session, hang-up at the session's end).
   */
  realtimeCalls: "/v1/realtime/calls",
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
} as const;

/**
 * The admin API's paths (admin token, records on): the site owner's, never the widget's (kept out of
 * {@link PATHS}, which the widget bundles).
 */
export const ADMIN_PATHS = {
  /** `GET` lists sessions. */
  sessions: "/admin/sessions",
  /** `GET` one session with its messages and events, `DELETE` it. */
  session: "/admin/sessions/:id",
  /** `GET` one session as a JSON download. */
  sessionExport: "/admin/sessions/:id/export",
  /** `POST` times out lapsed sessions and applies retention now. */
  purge: "/admin/purge",
  /** `GET` lists webhook deliveries with their attempts. */
  webhooks: "/admin/webhooks",
} as const;

/** Paths of the upstream stages a visitor's turn goes through; their requests carry {@link TURN_ID_HEADER}. */
export const STAGE_PATHS = [PATHS.transcriptions, PATHS.chatCompletions, PATHS.speech] as const;

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
 * The relay's own event in a chat stream, while it runs a server tool between two model rounds: a
 * `chat.completion.chunk` with no choices (so OpenAI clients and older widgets skip it) and a
 * {@link TOOL_STATUS_FIELD} member. `running` when the call starts, then `done` or `failed`. The model's
 * calls of server tools never reach the browser as `tool_calls` (the page must not run them).
 */
export interface ToolStatusChunk {
  object: "chat.completion.chunk";
  choices: [];
  voice_agent: ToolStatus;
}

/** A server tool's state, as {@link ToolStatusChunk} carries it. */
export interface ToolStatus {
  type: "tool";
  /** The tool's name, from the agents file. */
  name: string;
  status: "running" | "done" | "failed";
}

/** The member of a chat stream chunk that carries a {@link ToolStatus}. */
export const TOOL_STATUS_FIELD = "voice_agent";

/**
 * The relay's own event on the realtime WebSocket (`GET /v1/realtime`) while it runs a server tool: the
 * realtime counterpart of {@link ToolStatusChunk}, `running` when the call starts, then `done` or
 * `failed`. `response_id` is the response the browser knows (the one that called the tool: the model's
 * answer after the result continues it, under that id). The model's calls of server tools, and their
 * outputs, never reach the browser.
 */
export interface RealtimeToolEvent {
  type: typeof REALTIME_TOOL_EVENT;
  /** `relay_<n>`, like the relay's `error` events. */
  event_id: string;
  response_id: string;
  /** The tool's name, from the agents file. */
  name: string;
  status: ToolStatus["status"];
}

/** The `type` of a {@link RealtimeToolEvent}. */
export const REALTIME_TOOL_EVENT = "voice_agent.tool";

/**
 * How the widget's replayed history starts its items' ids in a new realtime call (`conversation.item.create`
 * with `item.id` = this + n, after a reload or a reconnect): the records already hold those messages from
 * the session they were said in, so the relay does not record them again.
 */
export const REALTIME_HISTORY_ITEM_PREFIX = "va_history_";

/**
 * Record id of a session's greeting: one per session, so a `greeting` report sent twice records it once.
 * Record ids are opaque to the widget; the relay's `x-record-id` ids are UUIDv7.
 */
export function greetingMessageId(sessionId: string): string {
  return `${sessionId}:greeting`;
}

/** Stable error codes of the relay. Every error response is an {@link ErrorBody}. */
export const ERROR_CODES = [
  "bad_request",
  "unauthorized",
  "token_expired",
  "origin_not_allowed",
  "agent_not_found",
  "context_invalid",
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

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one JSON shape of every error response of the relay. */
export type ErrorBody = z.infer<typeof wire.ErrorBodySchema>;

/** Body of `POST` {@link PATHS.sessions}. */
export type CreateSessionRequest = z.infer<typeof wire.CreateSessionRequestSchema>;

/** Answer of `POST` {@link PATHS.sessions}. */
export type CreateSessionResponse = z.infer<typeof wire.CreateSessionResponseSchema>;

/** Answer of `POST` {@link PATHS.sessionRefresh}. */
export type RefreshSessionResponse = z.infer<typeof wire.RefreshSessionResponseSchema>;

/** Answer of `DELETE` {@link PATHS.forgetVisitor}. */
export type ForgetVisitorResponse = z.infer<typeof wire.ForgetVisitorResponseSchema>;

/** Answer of `POST` {@link PATHS.realtimeClientSecrets}: OpenAI's client secret, without the session echo. */
export type RealtimeClientSecret = z.infer<typeof wire.RealtimeClientSecretSchema>;

/** Which upstream the relay forwards to; the widget labels the offline demo upstream visibly. */
export type UpstreamKind = z.infer<typeof wire.UpstreamKindSchema>;

/** One message of a chat request: user/assistant text, the assistant's tool calls, or a tool's result. */
export type ChatMessage = z.infer<typeof wire.ChatMessageSchema>;

/** Latencies of one turn, ms: the widget's (unprefixed) and the relay's (`upstream…`) measurements. */
export type TurnLatency = z.infer<typeof wire.TurnLatencySchema>;

/** How a session ended, from the widget's side. */
export type SessionEndReason = z.infer<typeof wire.SessionEndReasonSchema>;

/** One thing only the widget knows, reported to the session records. */
export type SessionReport = z.infer<typeof wire.SessionReportSchema>;

/** Body of `POST` {@link PATHS.sessionEvents}: 1–50 reports, answered 202 `{ accepted }`. */
export type SessionReportRequest = z.infer<typeof wire.SessionReportRequestSchema>;
