import { bearer, error, json, openApiPath, sessionErrors, type WireSchema } from "../openapi-parts.ts";
import { ADMIN_PATHS, PATHS } from "../protocol.ts";
import { ForgetVisitorResponseSchema, SessionReportRequestSchema, SessionReportResponseSchema } from "../wire-schemas.ts";

const admin = [{ adminToken: [] }];
const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
/** Errors every admin route can answer. */
const adminErrors = {
  "401": error("`unauthorized`: no or an unknown admin token, or the admin API is off"),
  "404": error("`not_found`: no such session in the token's agents"),
};
/** A webhook delivery as the admin API shows it. */
const webhook = {
  type: "object",
  required: ["id", "sessionId", "agent", "event", "url", "status", "attempts", "nextAttemptAt", "createdAt"],
  properties: {
    id: { type: "string", description: "The `webhook-id` of every attempt" },
    sessionId: { type: "string" },
    agent: { type: "string" },
    event: { enum: ["session.ended", "analysis.completed"] },
    url: { type: "string" },
    status: { enum: ["pending", "delivered", "failed"] },
    attempts: {
      type: "array",
      items: {
        type: "object",
        required: ["at", "status", "error", "durationMs"],
        properties: {
          at: { type: "integer", description: "epoch ms" },
          status: { type: ["integer", "null"], description: "the receiver's HTTP status" },
          error: {
            type: ["string", "null"],
            description: "`http_error`, `redirect`, `timeout`, `refused`, `not_configured` or a network error code; null when delivered",
          },
          durationMs: { type: "integer" },
        },
      },
    },
    nextAttemptAt: { type: ["integer", "null"], description: "epoch ms; null once delivered or failed" },
    createdAt: { type: "integer", description: "epoch ms; retried for 24 h from it" },
  },
};
const detail = {
  description:
    "`{ session, messages, events, analysis, webhooks }`; `analysis` is null until the agent's post-session analysis claims the session, then `{ status: pending | done | failed | skipped, attempts, result, model, usage: { promptTokens, completionTokens }, error, completedAt, nextAttemptAt }`; `webhooks`: the session's deliveries, oldest first",
  content: json({
    type: "object",
    required: ["session", "messages", "events", "analysis", "webhooks"],
    properties: { webhooks: { type: "array", items: webhook } },
  }),
};

/** The paths `mountRecords` adds, for the relay's OpenAPI document; `schema` converts the wire schemas. */
export const recordsPaths = (schema: WireSchema) => ({
  [PATHS.sessionEvents]: {
    post: {
      summary: "The widget's reports of its session: start, states, interruptions, latencies, errors, end",
      security: bearer,
      requestBody: { required: true, content: json(schema(SessionReportRequestSchema, "input")) },
      responses: {
        "202": { description: "`{ accepted }`: committed", content: json(schema(SessionReportResponseSchema, "output")) },
        "400": error("`bad_request`"),
        ...sessionErrors,
        "415": error("`unsupported_media_type`"),
      },
    },
  },
  [PATHS.forgetVisitor]: {
    delete: {
      summary: "Forget me: delete every session of the token's visitor",
      security: bearer,
      responses: {
        "200": { description: "`{ deletedSessions }`", content: json(schema(ForgetVisitorResponseSchema, "output")) },
        ...sessionErrors,
      },
    },
  },
  [ADMIN_PATHS.sessions]: {
    get: {
      summary: "Sessions of the token's agents, newest first, with cursor pagination",
      security: admin,
      parameters: ["agent", "status", "from", "to", "limit", "cursor"].map((name) => ({
        name,
        in: "query",
        required: false,
        schema: { type: "string" },
      })),
      responses: {
        "200": { description: "`{ sessions, nextCursor }`", content: json({ type: "object", required: ["sessions"] }) },
        "400": error("`bad_request`: an invalid filter or cursor"),
        "403": error("`forbidden`: an agent outside the token's scope"),
        ...adminErrors,
      },
    },
  },
  [openApiPath(ADMIN_PATHS.session)]: {
    get: {
      summary: "One session with its messages, events and post-session analysis",
      security: admin,
      parameters: [id],
      responses: { "200": detail, ...adminErrors },
    },
    delete: {
      summary: "Delete one session",
      security: admin,
      parameters: [id],
      responses: { "204": { description: "Deleted" }, ...adminErrors },
    },
  },
  [openApiPath(ADMIN_PATHS.sessionExport)]: {
    get: { summary: "One session as a JSON download", security: admin, parameters: [id], responses: { "200": detail, ...adminErrors } },
  },
  [ADMIN_PATHS.webhooks]: {
    get: {
      summary: "Webhook deliveries of the token's agents with their attempts, newest first, with cursor pagination",
      security: admin,
      parameters: ["agent", "status", "limit", "cursor"].map((name) => ({
        name,
        in: "query",
        required: false,
        schema: name === "status" ? { enum: ["pending", "delivered", "failed"] } : { type: "string" },
      })),
      responses: {
        "200": {
          description: "`{ webhooks, nextCursor }`",
          content: json({
            type: "object",
            required: ["webhooks", "nextCursor"],
            properties: { webhooks: { type: "array", items: webhook }, nextCursor: { type: ["string", "null"] } },
          }),
        },
        "400": error("`bad_request`: an invalid filter or cursor"),
        "403": error("`forbidden`: an agent outside the token's scope"),
        "401": adminErrors["401"],
      },
    },
  },
  [ADMIN_PATHS.purge]: {
    post: {
      summary: "Run the retention purge now (and time out lapsed sessions) for the token's agents",
      security: admin,
      responses: {
        "200": { description: "`{ timedOut, deletedSessions }`", content: json({ type: "object" }) },
        "401": adminErrors["401"],
      },
    },
  },
});
