/** Events an agent's webhook endpoints can subscribe to. */
export const WEBHOOK_EVENTS = ["session.ended", "analysis.completed"] as const;

/** One of {@link WEBHOOK_EVENTS}. */
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * The JSON body of every delivery, in the Standard Webhooks style: the event `type`, when it happened
 * (`timestamp`, ISO 8601) and the event's `data`. Times inside `data` are epoch ms, as in the admin API.
 */
export interface WebhookPayload<Data = Record<string, unknown>> {
  type: WebhookEvent;
  timestamp: string;
  data: Data;
}

/**
 * `data` of `session.ended`: the session as its record ends it, without what was said (a receiver that
 * wants the messages reads `GET /admin/sessions/:id`).
 */
export interface SessionEndedData {
  sessionId: string;
  agent: string;
  origin: string;
  mode: "cascade" | "realtime";
  /** The terminal status: `completed`, `cancelled`, `failed` or `timeout`. */
  status: string;
  /** Why it ended, e.g. `hangup`, `unload`, `error`, `lapsed`. */
  endReason: string | null;
  conversationId: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
}

/** `data` of `analysis.completed`: the session's stored analysis (see `GET /admin/sessions/:id`'s `analysis`). */
export interface AnalysisCompletedData {
  sessionId: string;
  agent: string;
  /** The structured result, valid against the agent's analysis schema. */
  result: Record<string, unknown>;
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  completedAt: number;
}
