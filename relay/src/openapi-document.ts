import { bearer, error, json, ref, sessionErrors } from "./openapi-parts.ts";
import { ERROR_CODES, PATHS, TTS_SAMPLE_RATE } from "./protocol.ts";
import { recordsPaths } from "./records/records-openapi.ts";

const upstreamErrors = {
  "502": error("`upstream_error`: the upstream failed (its body is never passed on)"),
  "504": error("`upstream_timeout`: no upstream answer in time"),
};

/**
 * OpenAPI 3.1 document of the relay's own routes, served at `GET /openapi.json`, with the records' routes
 * when `records` is on. Hand-written; `app.test.ts` checks that its paths and methods are exactly the
 * app's routes, with and without records.
 */
export const openApiDocument = (records: boolean) => ({
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
    schemas: {
      ErrorBody: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: { code: { type: "string", enum: [...ERROR_CODES] }, message: { type: "string" } },
          },
        },
      },
      ChatMessage: {
        type: "object",
        required: ["role", "content"],
        additionalProperties: false,
        properties: { role: { type: "string", enum: ["user", "assistant"] }, content: { type: "string", maxLength: 20_000 } },
      },
    },
  },
  paths: {
    [PATHS.health]: { get: { summary: "Liveness", responses: { "200": { description: "`{ ok: true }`", content: json({ type: "object" }) } } } },
    [PATHS.ready]: {
      get: {
        summary: "Readiness: every upstream (and store) reachable; results cached 2 s",
        responses: {
          "200": { description: "`{ ok: true, checks: string[] }`", content: json({ type: "object" }) },
          "503": error("`not_ready` (names the failed checks) or `shutting_down`"),
        },
      },
    },
    [PATHS.openApi]: { get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1", content: json({ type: "object" }) } } } },
    [PATHS.sessions]: {
      post: {
        summary: "Create a session for an agent; the Origin must be on the agent's allowlist",
        requestBody: { required: true, content: json({ type: "object", required: ["agent"], properties: { agent: { type: "string" } } }) },
        responses: {
          "201": {
            description: "Session and relay token",
            content: json({
              type: "object",
              required: ["sessionId", "token", "expiresAt", "sessionEndsAt", "agent", "upstream"],
              properties: {
                sessionId: { type: "string", format: "uuid" },
                token: { type: "string" },
                expiresAt: { type: "integer", description: "epoch ms" },
                sessionEndsAt: { type: "integer", description: "epoch ms" },
                agent: { type: "object", properties: { id: { type: "string" }, name: { type: "string" }, greeting: { type: "string" } } },
                upstream: { type: "string", enum: ["provider", "offline-demo"] },
              },
            }),
          },
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
          "200": {
            description: "New token",
            content: json({
              type: "object",
              required: ["sessionId", "token", "expiresAt", "sessionEndsAt"],
              properties: { sessionId: { type: "string" }, token: { type: "string" }, expiresAt: { type: "integer" }, sessionEndsAt: { type: "integer" } },
            }),
          },
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
          content: { "multipart/form-data": { schema: { type: "object", required: ["file"], properties: { file: { type: "string", format: "binary" } } } } },
        },
        responses: {
          "200": { description: "Transcript", content: json({ type: "object", required: ["text"], properties: { text: { type: "string" } } }) },
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
          content: json({
            type: "object",
            required: ["messages", "stream"],
            properties: {
              messages: { type: "array", minItems: 1, maxItems: 200, items: ref("ChatMessage") },
              stream: { const: true },
            },
            description: "Other fields (model, temperature, …) are ignored; tools, tool_choice and functions are refused.",
          }),
        },
        responses: {
          "200": {
            description: "SSE: `data: <chat.completion.chunk>` frames, then `data: [DONE]`; a mid-stream failure ends with `data: <ErrorBody>` (`upstream_error`, `upstream_timeout`, `shutting_down`)",
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
          content: json({ type: "object", required: ["input"], properties: { input: { type: "string", minLength: 1, maxLength: 4096 } } }),
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
    [PATHS.realtimeClientSecrets]: {
      post: {
        summary: "Mint a provider ephemeral key for the agent's realtime configuration (body ignored)",
        security: bearer,
        responses: {
          "200": {
            description: "OpenAI client secret; valid at most until the session ends",
            content: json({ type: "object", required: ["value", "expires_at"], properties: { value: { type: "string" }, expires_at: { type: "integer", description: "epoch s" } } }),
          },
          ...sessionErrors,
          "404": error("`realtime_not_configured` or `agent_not_found`"),
          ...upstreamErrors,
        },
      },
    },
    ...(records ? recordsPaths : {}),
  },
});
