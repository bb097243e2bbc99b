import type { EventRecord, MessageRecord, SessionRecord } from "./session-record.ts";
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
