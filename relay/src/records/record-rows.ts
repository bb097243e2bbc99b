import type { EventRecord, MessageRecord, SessionAnalysis, SessionRecord } from "./session-record.ts";
import type { AnalysisOutcome } from "./record-op.ts";
import type { SessionListItem } from "./session-store.ts";

/** A row as either driver returns it: snake_case columns, JSON as text (SQLite) or parsed (PostgreSQL). */
type Row = Record<string, unknown>;

const json = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** Maps a `sessions` row. */
export function sessionFromRow(row: Row): SessionRecord {
  return {
    id: row.id as string,
    agent: row.agent as string,
    origin: row.origin as string,
    mode: row.mode as SessionRecord["mode"],
    status: row.status as SessionRecord["status"],
    conversationId: (row.conversation_id as string | null) ?? null,
    createdAt: Number(row.created_at),
    startedAt: num(row.started_at),
    endedAt: num(row.ended_at),
    expiresAt: Number(row.expires_at),
    lastActiveAt: num(row.last_active_at),
    durationMs: num(row.duration_ms),
    endReason: (row.end_reason as string | null) ?? null,
    client: row.client === null || row.client === undefined ? null : json(row.client),
    context: row.context === null || row.context === undefined ? null : json(row.context),
  };
}

/** Maps a `sessions` row with its `first_visitor_text` column (a listing). */
export function listItemFromRow(row: Row): SessionListItem {
  return { ...sessionFromRow(row), firstVisitorText: (row.first_visitor_text as string | null) ?? null };
}

/** Maps a `messages` row. */
export function messageFromRow(row: Row): MessageRecord {
  return {
    id: row.id as string,
    sessionId: row.session_id as string,
    role: row.role as MessageRecord["role"],
    text: row.text as string,
    startAt: num(row.start_at),
    endAt: num(row.end_at),
    promptTokens: num(row.prompt_tokens),
    completionTokens: num(row.completion_tokens),
    utteranceId: (row.utterance_id as string | null) ?? null,
    audioDurationMs: num(row.audio_duration_ms),
    interrupted: Boolean(row.interrupted),
    heardText: (row.heard_text as string | null) ?? null,
    latency: json(row.latency),
    toolCalls: row.tool_calls === null || row.tool_calls === undefined ? null : json(row.tool_calls),
    toolCallId: (row.tool_call_id as string | null) ?? null,
  };
}

/** Maps an `events` row. */
export function eventFromRow(row: Row): EventRecord {
  return {
    id: row.id as string,
    sessionId: row.session_id as string,
    type: row.type as string,
    source: row.source as EventRecord["source"],
    at: Number(row.at),
    payload: json(row.payload),
  };
}

/** Maps a `session_analyses` row; undefined (no row) is null. */
export function analysisFromRow(row: Row | undefined): SessionAnalysis | null {
  if (!row) return null;
  const done = row.status === "done";
  return {
    status: row.status as SessionAnalysis["status"],
    attempts: Number(row.attempts),
    result: row.result === null || row.result === undefined ? null : json(row.result),
    model: (row.model as string | null) ?? null,
    usage: done ? { promptTokens: Number(row.prompt_tokens ?? 0), completionTokens: Number(row.completion_tokens ?? 0) } : null,
    error: (row.error as string | null) ?? null,
    completedAt: num(row.completed_at),
    nextAttemptAt: row.status === "pending" ? num(row.next_at) : null,
  };
}

/**
 * The `session_analyses` columns an outcome sets, in this order: status, next_at, result (JSON text), model,
 * prompt_tokens, completion_tokens, error, completed_at.
 */
export function analysisColumns(o: AnalysisOutcome): (string | number | null)[] {
  switch (o.status) {
    case "done":
      return ["done", null, JSON.stringify(o.result), o.model, o.usage.promptTokens, o.usage.completionTokens, null, o.at];
    case "skipped":
      return ["skipped", null, null, null, null, null, o.reason, o.at];
    case "pending":
      return ["pending", o.nextAt, null, null, null, null, o.error, null];
    case "failed":
      return ["failed", null, null, null, null, null, o.error, o.at];
  }
}

/** Terminal session statuses, as an SQL list: the sessions an analysis may be claimed for. */
export const ENDED_STATUSES_SQL = "('completed', 'failed', 'timeout', 'cancelled')";
