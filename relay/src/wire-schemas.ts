/**
 * The one definition of every JSON body on the wire between the widget and the relay: the relay validates
 * requests with these schemas, `protocol.ts` infers the shared types from them, and the OpenAPI document
 * is generated from them (`openapi-document.ts`). Change a shape here and all three follow.
 */
import { z } from "zod";
import { ERROR_CODES, TURN_ID_PATTERN } from "./protocol.ts";

/** Largest text of one chat message (characters). */
const MAX_CONTENT = 20_000;
/** A latency, ms (at most an hour). */
const ms = z.number().min(0).max(3_600_000);
/** Epoch ms on the widget's clock. */
const widgetTime = z.int().positive();
const turnId = z.string().regex(TURN_ID_PATTERN).meta({ description: "The turn's `x-turn-id`" });
/** Tool call ids as OpenAI and compatible servers issue them (`call_…`), bounded. */
const ToolCallId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a tool call id of 1-64 letters, digits, _ or -");
/** OpenAI's function name rule. */
const ToolName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a function name of 1-64 letters, digits, _ or -");
const refused = (what: string) => z.undefined({ error: `${what} come from the agent configuration and cannot be sent` }).optional();

/** The one JSON shape of every error response of the relay. */
export const ErrorBodySchema = z.object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }) });

/** Body of `POST /v1/sessions`. The `Origin` header must be on the agent's allowlist. */
export const CreateSessionRequestSchema = z.object({
  /** Agent id from the relay's agent configuration. */
  agent: z.string().min(1).max(64),
  /**
   * Random id (≥ 128 bits, base64url or UUID) the widget keeps in the visitor's browser. It is a bearer
   * secret: whoever holds it may "forget" that visitor's records; the relay stores only a hash of it.
   */
  visitorId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{22,128}$/, "expected 22-128 base64url characters or a UUID")
    .optional(),
  /** Id of the local conversation this session continues (after a reload); links sessions in the records. */
  conversationId: z.string().min(1).max(128).optional(),
  /** The widget's mode for this session, recorded with it; default `cascade`. */
  mode: z.enum(["cascade", "realtime"]).optional(),
  /**
   * The host page's context (the widget's `.config.context`): values of the variables the agent declares
   * (strings, whole numbers, booleans), inserted into its instructions as data. Checked against the
   * agent's declaration (400 `context_invalid`, naming the variable), so any value is accepted here.
   */
  context: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ description: "Variables declared by the agent: string, integer or boolean values", examples: [{ name: "Ada", plan: "pro" }] }),
});

/** Which upstream the relay forwards to; the widget labels the offline demo upstream visibly. */
export const UpstreamKindSchema = z.enum(["provider", "offline-demo"]);

/** Answer of `POST /v1/sessions/refresh`, and the token part of the answer of `POST /v1/sessions`. */
export const RefreshSessionResponseSchema = z.object({
  /** Session id (UUIDv7). */
  sessionId: z.string(),
  /** Relay token: a bearer token for the `/v1/*` proxy routes, bound to session, agent and origin. */
  token: z.string(),
  /** When the token stops being accepted, epoch milliseconds (never after `sessionEndsAt`); refresh it before then. */
  expiresAt: z.int(),
  /** When the session ends for good (the agent's max session seconds), epoch milliseconds. */
  sessionEndsAt: z.int(),
});

/** Answer of `POST /v1/sessions`. */
export const CreateSessionResponseSchema = RefreshSessionResponseSchema.extend({
  agent: z.object({
    id: z.string(),
    name: z.string(),
    greeting: z.string(),
    /** Whether the widget may transcribe at a pause before the turn ends (the agent's `speculation`). */
    speculation: z.boolean(),
    /**
     * Tool rounds per visitor turn (the agent's `maxToolRounds`): the widget runs client tools for at most
     * this many rounds; the relay asks the model with `tool_choice: "none"` once they are used.
     */
    maxToolRounds: z.int().min(0).max(10),
    /**
     * Who ends the visitor's turns in a realtime call, when the agent has the realtime mode: `local` (the
     * widget's own end of turn commits the audio; the agent's `realtime.turnDetection` is null) or
     * `provider` (its voice activity detection).
     */
    realtimeTurns: z.enum(["local", "provider"]).optional(),
    /** How the widget starts a WebRTC call, when the agent has the realtime mode (the agent's `realtime.webrtc`). */
    realtimeWebrtc: z.enum(["relay", "direct"]).optional(),
    /**
     * The names of the agent's server tools, when it has any: the relay runs them. Over a WebRTC call the
     * relay created, the widget sees their calls on the data channel and leaves them to the relay.
     */
    serverTools: z.array(z.string()).optional(),
  }),
  /** Record id of the greeting (`greetingMessageId`): the `messageId` of an interruption of the greeting. */
  greetingId: z.string(),
  upstream: UpstreamKindSchema,
});

/** Answer of `DELETE /v1/visitor`. */
export const ForgetVisitorResponseSchema = z.object({
  /** How many sessions (with their messages and events) were deleted. */
  deletedSessions: z.int().min(0),
});

/** Answer of a non-streamed `POST /v1/audio/transcriptions`. */
export const TranscriptionResponseSchema = z.object({ text: z.string() });

/** Answer of `POST /v1/realtime/client_secrets` (OpenAI's client secret, without the session echo). */
export const RealtimeClientSecretSchema = z.object({
  value: z.string(),
  expires_at: z.int().meta({ description: "epoch s" }),
  /** The provider's endpoint for a WebRTC call with this key (`POST` the offer as `application/sdp`, the key as Bearer). */
  calls_url: z.url(),
});

/** A user or assistant text message. System messages are never accepted from the browser. */
const TextMessageSchema = z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string().max(MAX_CONTENT) });

/** The model's tool calls, echoed back by the widget (OpenAI's shape). */
const ToolCallMessageSchema = z.strictObject({
  role: z.literal("assistant"),
  content: z.string().max(MAX_CONTENT).nullable(),
  tool_calls: z
    .array(
      z.strictObject({
        id: ToolCallId,
        type: z.literal("function"),
        function: z.strictObject({ name: ToolName, arguments: z.string().max(MAX_CONTENT) }),
      }),
    )
    .min(1)
    .max(16),
});

/** The page's result of one tool call (`content` is JSON text). */
const ToolResultMessageSchema = z.strictObject({ role: z.literal("tool"), tool_call_id: ToolCallId, content: z.string().max(MAX_CONTENT) });

/** One message of a chat request: text, the assistant's tool calls, or a tool's result. */
export const ChatMessageSchema = z.union([TextMessageSchema, ToolCallMessageSchema, ToolResultMessageSchema]).meta({ id: "ChatMessage" });

/**
 * What the browser may send to `POST /v1/chat/completions` (a bounded subset of OpenAI's). `tools`,
 * `tool_choice` and `functions` are refused (400): tool definitions come from the agent configuration
 * only. Model, temperature and other sampling fields are ignored, since the agent decides.
 */
export const ChatRequestSchema = z.object({
  messages: z.array(ChatMessageSchema).min(1).max(200),
  stream: z.literal(true),
  /**
   * Sent at a pause before the visitor's turn ended, on the transcript of the speech so far: the relay
   * records the request and its reply only once the widget reports the turn committed (`turn-committed`).
   */
  speculative: z.boolean().optional(),
  tools: refused("tools"),
  tool_choice: refused("tools"),
  functions: refused("tools"),
});

/**
 * Body of `POST /v1/audio/speech`. Model, voice and speed come from the agent configuration; the answer is
 * streamed `audio/pcm` at `TTS_SAMPLE_RATE`.
 */
export const SpeechRequestSchema = z.object({ input: z.string().min(1).max(4096) });

/**
 * Latencies of one turn, ms. The widget measures the unprefixed ones (what the visitor waits for) and
 * reports them with `turn-latency`; the relay measures the `upstream…` ones from a request's arrival and
 * records them on the messages. A key means the same wherever it appears.
 */
export const TurnLatencySchema = z.strictObject({
  /** Widget: end of the visitor's speech → transcript received. */
  sttMs: ms.optional(),
  /** Widget: chat request sent → first text delta. */
  llmFirstTokenMs: ms.optional(),
  /** Widget: chat request sent → end of the reply's stream (its last round, with tools). */
  llmTotalMs: ms.optional(),
  /** Widget: first sentence sent to TTS → its first audio. */
  ttsFirstByteMs: ms.optional(),
  /** Widget: end of the visitor's speech (or typed text) → first reply audio queued: the latency the visitor feels. */
  turnMs: ms.optional(),
  /** Relay: transcription request arrived → transcript from the upstream. */
  upstreamSttMs: ms.optional(),
  /** Relay: chat request arrived → first text from the upstream. */
  upstreamLlmFirstTokenMs: ms.optional(),
  /** Relay: chat request arrived → end of the upstream's stream. */
  upstreamLlmTotalMs: ms.optional(),
});

/** The keys of {@link TurnLatencySchema} the widget measures, the ones its `turn-latency` report carries. */
export const WidgetTurnLatencySchema = TurnLatencySchema.pick({
  sttMs: true,
  llmFirstTokenMs: true,
  llmTotalMs: true,
  ttsFirstByteMs: true,
  turnMs: true,
});

/** How a session ended, from the widget's side: `hangup` (stop), `unload` (the page went away), `error`. */
export const SessionEndReasonSchema = z.enum(["hangup", "unload", "error"]);

/**
 * One thing only the widget knows. `at` is the widget's clock (epoch ms) when it happened; the relay
 * records it as `clientAt` and places the report on its own clock (see `SessionReportRequest.sentAt`).
 */
export const SessionReportSchema = z
  .discriminatedUnion("type", [
    /** The session started: microphone open. Marks the session `active`. */
    z.strictObject({
      type: z.literal("start"),
      at: widgetTime.optional(),
      sampleRate: z.int().min(8000).max(384_000).optional(),
      language: z.string().max(35).optional(),
    }),
    /** The widget began to speak the agent's greeting; recorded as the assistant message `greetingId`. */
    z.strictObject({ type: z.literal("greeting"), at: widgetTime.optional() }),
    /** A conversation state change (`listening`, `thinking`, `responding`, `interrupted`, …). */
    z.strictObject({ type: z.literal("state"), at: widgetTime.optional(), state: z.string().regex(/^[a-z][a-z-]{0,31}$/) }),
    /** Barge-in: the visitor heard only `heardText` of the reply with record id `messageId`, of turn `turnId`. */
    z.strictObject({
      type: z.literal("interruption"),
      at: widgetTime.optional(),
      messageId: z.string().max(64),
      turnId: turnId.optional(),
      heardText: z.string().max(20_000),
      playedMs: ms.optional(),
    }),
    /** The widget-measured latencies of turn `turnId`; `messageId` is the reply's record id, which gets them. */
    z.strictObject({
      type: z.literal("turn-latency"),
      at: widgetTime.optional(),
      messageId: z.string().max(64).optional(),
      turnId: turnId.optional(),
      latency: WidgetTurnLatencySchema,
    }),
    z.strictObject({
      type: z.literal("error"),
      at: widgetTime.optional(),
      code: z.string().max(64),
      message: z.string().max(500).optional(),
    }),
    /**
     * The visitor's turn `turnId` ended on the speech a speculative request was made on: the relay records
     * what it held of the turn (the speculative transcript and reply).
     */
    z.strictObject({ type: z.literal("turn-committed"), at: widgetTime.optional(), turnId }),
    /**
     * A message of a realtime call the relay does not see (a WebRTC call started with an ephemeral key,
     * the agent's `realtime.webrtc: "direct"`): the visitor's transcript or typed text, or the agent's
     * reply, recorded as message `messageId` (a UUID the widget chose; an `interruption` names it). Refused
     * for an agent whose calls the relay records itself.
     */
    z.strictObject({
      type: z.literal("message"),
      at: widgetTime.optional(),
      messageId: z.uuid(),
      role: z.enum(["user", "assistant"]),
      text: z.string().max(20_000),
      turnId: turnId.optional(),
      /** The visitor's speech (user) or the reply's audio (assistant), ms. */
      audioMs: ms.optional(),
      interrupted: z.boolean().optional(),
      heardText: z.string().max(20_000).optional(),
      promptTokens: z.int().min(0).max(10_000_000).optional(),
      completionTokens: z.int().min(0).max(10_000_000).optional(),
    }),
    /** The session ended (send an `unload` with `fetch(…, { keepalive: true })`). */
    z.strictObject({ type: z.literal("end"), at: widgetTime.optional(), reason: SessionEndReasonSchema }),
  ])
  .meta({ id: "SessionReport" });

/** Body of `POST /v1/session-events`: 1–50 reports, answered 202 `{ accepted }`. */
export const SessionReportRequestSchema = z.strictObject({
  reports: z.array(SessionReportSchema).min(1).max(50),
  /**
   * The widget's clock when it sent the batch (epoch ms). With each report's `at`, the relay places the
   * reports on its own clock at the time they happened rather than when the batch arrived.
   */
  sentAt: widgetTime.optional(),
});

/** Answer of `POST /v1/session-events`. */
export const SessionReportResponseSchema = z.object({ accepted: z.int().min(1) });
