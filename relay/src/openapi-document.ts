import { bearer, error, json, sessionErrors, wireSchemas } from "./openapi-parts.ts";
import { PATHS, TTS_SAMPLE_RATE } from "./protocol.ts";
import { recordsPaths } from "./records/records-openapi.ts";
import {
  ChatRequestSchema,
  CreateSessionRequestSchema,
  CreateSessionResponseSchema,
  ErrorBodySchema,
  RealtimeClientSecretSchema,
  RefreshSessionResponseSchema,
  SpeechRequestSchema,
  TranscriptionResponseSchema,
} from "./wire-schemas.ts";

const upstreamErrors = {
  "502": error("`upstream_error`: the upstream failed (its body is never passed on)"),
  "504": error("`upstream_timeout`: no upstream answer in time"),
};

/**
 * OpenAPI 3.1 document of the relay's own routes, served at `GET /openapi.json`, with the records' routes
 * when `records` is on. The JSON bodies are generated from the wire schemas the relay validates with
 * (`wire-schemas.ts`); `app.test.ts` checks that its paths and methods are exactly the app's routes, with
 * and without records.
 */
export function openApiDocument(records: boolean): object {
  const { schema, components } = wireSchemas();
  const paths = {
    [PATHS.health]: {
      get: { summary: "Liveness", responses: { "200": { description: "`{ ok: true }`", content: json({ type: "object" }) } } },
    },
    [PATHS.ready]: {
      get: {
        summary: "Readiness: every upstream (and store) reachable; results cached 2 s",
        responses: {
          "200": { description: "`{ ok: true, checks: string[] }`", content: json({ type: "object" }) },
          "503": error("`not_ready` (names the failed checks) or `shutting_down`"),
        },
      },
    },
    [PATHS.openApi]: {
      get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1", content: json({ type: "object" }) } } },
    },
    [PATHS.sessions]: {
      post: {
        summary: "Create a session for an agent; the Origin must be on the agent's allowlist",
        requestBody: { required: true, content: json(schema(CreateSessionRequestSchema, "input")) },
        responses: {
          "201": { description: "Session and relay token", content: json(schema(CreateSessionResponseSchema, "output")) },
          "400": error("`bad_request`"),
          "403": error("`origin_not_allowed`"),
          "404": error("`agent_not_found`"),
          "413": error("`payload_too_large` (over 4096 bytes)"),
          "415": error("`unsupported_media_type`"),
          "429": error("`rate_limited`: too many sessions from this IP (see `Retry-After`)"),
        },
      },
    },
    [PATHS.sessionRefresh]: {
      post: {
        summary: "A fresh token for the caller's session, while it lives",
        security: bearer,
        responses: {
          "200": { description: "New token", content: json(schema(RefreshSessionResponseSchema, "output")) },
          ...sessionErrors,
        },
      },
    },
    [PATHS.transcriptions]: {
      post: {
        summary: "Transcribe one WAV utterance with the agent's STT model (client model/prompt ignored)",
        security: bearer,
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: { type: "object", required: ["file"], properties: { file: { type: "string", format: "binary" } } },
            },
          },
        },
        responses: {
          "200": {
            description: "Transcript (with `stream=true`: SSE of `transcript.text.delta` / `transcript.text.done`, then `data: [DONE]`)",
            content: json(schema(TranscriptionResponseSchema, "output")),
          },
          "400": error("`bad_request`"),
          ...sessionErrors,
          "413": error("`payload_too_large`, or `audio_too_long`: over the agent's `limits.maxUtteranceSeconds`"),
          "415": error("`unsupported_media_type`: not multipart, or the file is not a PCM WAV"),
          ...upstreamErrors,
        },
      },
    },
    [PATHS.chatCompletions]: {
      post: {
        summary: "Stream the agent's reply (system prompt, model, sampling and tools from the agent)",
        security: bearer,
        requestBody: {
          required: true,
          description: "Other fields (model, temperature, …) are ignored; tools, tool_choice and functions are refused.",
          content: json(schema(ChatRequestSchema, "input")),
        },
        responses: {
          "200": {
            description:
              "SSE: `data: <chat.completion.chunk>` frames, then `data: [DONE]`; a mid-stream failure ends with `data: <ErrorBody>` (`upstream_error`, `upstream_timeout`, `shutting_down`)",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          "400": error("`bad_request`: e.g. a system message or tools"),
          ...sessionErrors,
          "415": error("`unsupported_media_type`"),
          ...upstreamErrors,
        },
      },
    },
    [PATHS.speech]: {
      post: {
        summary: "Stream the agent's voice (model, voice and speed from the agent)",
        security: bearer,
        requestBody: {
          required: true,
          content: json(schema(SpeechRequestSchema, "input")),
        },
        responses: {
          "200": {
            description: `Raw 16-bit little-endian mono PCM at ${TTS_SAMPLE_RATE} Hz, streamed; header \`x-sample-rate\``,
            content: { "audio/pcm": { schema: { type: "string", format: "binary" } } },
          },
          "400": error("`bad_request`"),
          ...sessionErrors,
          "415": error("`unsupported_media_type`"),
          ...upstreamErrors,
        },
      },
    },
    [PATHS.realtime]: {
      get: {
        summary: "A realtime (speech-to-speech) call through the relay: a WebSocket of OpenAI Realtime GA events",
        description:
          "Upgrade to WebSocket. The relay token comes as `Authorization: Bearer` or, from a browser, as the `Sec-WebSocket-Protocol` entries `realtime` and `openai-insecure-api-key.<token>`. The relay sends the agent's session upstream; `session.update` and other fixed fields are refused with `error` events.",
        security: bearer,
        responses: {
          "101": { description: "Switching protocols: the call runs until the session ends or either side closes" },
          "400": error("`bad_request` (no `Upgrade: websocket`)"),
          ...sessionErrors,
          "404": error("`realtime_not_configured` or `agent_not_found`"),
        },
      },
    },
    [PATHS.realtimeCalls]: {
      post: {
        summary: "Start a WebRTC realtime call: the browser's SDP offer in, the provider's SDP answer out",
        description:
          "OpenAI's `POST /v1/realtime/calls` with the relay token. The relay creates the call with its key and the agent's session, then holds the call's sideband: it records the call, runs server tools, puts the agent's session back if the browser changes it, and hangs up at the session's end or idle timeout.",
        security: bearer,
        requestBody: { required: true, content: { "application/sdp": { schema: { type: "string" } } } },
        responses: {
          "201": {
            description: "The SDP answer; `Location` names the call (`/v1/realtime/calls/<call id>`)",
            content: { "application/sdp": { schema: { type: "string" } } },
          },
          "400": error("`bad_request`: not an SDP offer"),
          ...sessionErrors,
          "404": error("`realtime_not_configured` or `agent_not_found`"),
          "413": error("`payload_too_large`: an offer over 64 KiB"),
          "415": error("`unsupported_media_type`: not `application/sdp`"),
          ...upstreamErrors,
        },
      },
    },
    [PATHS.realtimeClientSecrets]: {
      post: {
        summary: "Mint a provider ephemeral key for the agent's realtime configuration (body ignored)",
        security: bearer,
        responses: {
          "200": {
            description: "OpenAI client secret; valid at most until the session ends",
            content: json(schema(RealtimeClientSecretSchema, "output")),
          },
          ...sessionErrors,
          "404": error("`realtime_not_configured` or `agent_not_found`"),
          ...upstreamErrors,
        },
      },
    },
    ...(records ? recordsPaths(schema) : {}),
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "voice-agent relay",
      version: "0.1.0",
      description: "Session tokens, policy and an OpenAI-compatible proxy for the voice-agent widget. Every error is an ErrorBody.",
    },
    components: {
      securitySchemes: {
        relayToken: { type: "http", scheme: "bearer", bearerFormat: "JWT (HS256), from POST /v1/sessions" },
        ...(records ? { adminToken: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN (or an agent-scoped admin token)" } } : {}),
      },
      schemas: { ErrorBody: schema(ErrorBodySchema, "output"), ...components },
    },
    paths,
  };
}
