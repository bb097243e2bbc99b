import type { RecordOp } from "../src/records/record-op.ts";
import type { EventRecord, MessageRecord, SessionRecord } from "../src/records/session-record.ts";
import { uuidv7 } from "../src/records/uuid-v7.ts";

/** A `create-session` op for tests and benchmarks; `createdAt` defaults to now. */
export function sessionOp(
  overrides: Partial<SessionRecord> = {},
  visitorHash: string | null = null,
): Extract<RecordOp, { op: "create-session" }> {
  const createdAt = overrides.createdAt ?? Date.now();
  return {
    op: "create-session",
    visitorHash,
    session: {
      id: uuidv7(createdAt),
      agent: "demo",
      origin: "http://localhost:5173",
      mode: "cascade",
      status: "pending",
      conversationId: null,
      createdAt,
      startedAt: null,
      endedAt: null,
      expiresAt: createdAt + 300_000,
      lastActiveAt: null,
      durationMs: null,
      endReason: null,
      context: null,
      client: null,
      ...overrides,
    },
  };
}

/** An `add-message` op for tests and benchmarks. */
export function messageOp(sessionId: string, overrides: Partial<MessageRecord> = {}): Extract<RecordOp, { op: "add-message" }> {
  const at = overrides.startAt ?? Date.now();
  return {
    op: "add-message",
    message: {
      id: uuidv7(at),
      sessionId,
      role: "user",
      text: "Where is my order?",
      startAt: at,
      endAt: at + 900,
      promptTokens: null,
      completionTokens: null,
      utteranceId: null,
      audioDurationMs: 1500,
      interrupted: false,
      heardText: null,
      latency: { upstreamSttMs: 120 },
      toolCalls: null,
      toolCallId: null,
      ...overrides,
    },
  };
}

/** An `add-event` op for tests and benchmarks. */
export function eventOp(sessionId: string, overrides: Partial<EventRecord> = {}): Extract<RecordOp, { op: "add-event" }> {
  const at = overrides.at ?? Date.now();
  return {
    op: "add-event",
    event: { id: uuidv7(at), sessionId, type: "state", source: "widget", at, payload: { state: "listening" }, ...overrides },
  };
}
