import type { RecordOp } from "./record-op.ts";
import type { SessionDetail, SessionRecord } from "./session-record.ts";
import type { SessionStatus } from "./session-status.ts";
import type { WebhookOutbox } from "./webhook-outbox.ts";

/** Filters of {@link SessionStore.listSessions}. Times are epoch ms on `createdAt`. */
export interface SessionQuery {
  /** Only these agents (an admin scope); undefined means every agent. */
  agents?: readonly string[];
  status?: SessionStatus;
  /** Created at or after (inclusive). */
  from?: number;
  /** Created before (exclusive). */
  to?: number;
  /** Page size, 1…500. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** A session as listed: the record and a preview of what was said. */
export interface SessionListItem extends SessionRecord {
  /** The visitor's first message (transcript or typed), for a preview; null when the visitor said nothing. */
  firstVisitorText: string | null;
}

/** One page of sessions, newest first. */
export interface SessionPage {
  sessions: SessionListItem[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Which sessions {@link SessionStore.deleteSessions} removes (with their messages and events). */
export type SessionSelector =
  | { ids: readonly string[]; agents?: readonly string[] }
  /** Every session of the visitor of this session (or only this one when it has no visitor). */
  | { visitorOf: string };

/** Retention cutoffs: delete sessions created before the given epoch ms. */
export interface PurgeRules {
  /** Cutoff per agent id. */
  byAgent: ReadonlyMap<string, number>;
  /** Cutoff for sessions of agents not in `byAgent`; undefined keeps them. */
  otherwise?: number;
}

/** What {@link SessionStore.claimAnalyses} looks for. Times are epoch ms. */
export interface AnalysisClaim {
  /** Agents that analyse their sessions. */
  agents: readonly string[];
  now: number;
  /** Only sessions that ended in this window (`endedAfter` ≤ `endedAt` ≤ `endedBefore`). */
  endedAfter: number;
  endedBefore: number;
  /** A claimed analysis is not claimed again before `now + leaseMs` (unless its outcome says otherwise). */
  leaseMs: number;
  limit: number;
}

/**
 * Durable storage of session records. Implementations: `SqliteSessionStore` (embedded default) and
 * `PostgresSessionStore` (shared by several relay instances). Both pass `session-store.contract.ts`. The
 * webhook outbox lives beside the sessions (its deliveries go with their session).
 */
export interface SessionStore extends WebhookOutbox {
  /** Creates or upgrades the schema; safe to call from several instances at once. */
  migrate(): Promise<void>;
  /** Applies a batch in one transaction; see {@link RecordOp} for idempotency. */
  apply(ops: readonly RecordOp[]): Promise<void>;
  listSessions(query: SessionQuery): Promise<SessionPage>;
  /** One session with messages (by start time) and events (by time); undefined when unknown. */
  getSession(id: string): Promise<SessionDetail | undefined>;
  /** Deletes sessions with their messages, events and webhook deliveries; returns the ids of the sessions that went (to revoke them). */
  deleteSessions(selector: SessionSelector): Promise<string[]>;
  /**
   * Marks every `pending`/`active` session whose `expiresAt` is at or before `now` as `timeout`, ended at its
   * last activity (or creation), marked for `session.ended` (see {@link WebhookOutbox.announceEndings}); returns the count.
   */
  markLapsed(now: number): Promise<number>;
  /**
   * Claims ended sessions whose analysis is due: never attempted, or `pending` with its next attempt due.
   * Each claim counts an attempt and holds the session for `leaseMs`; several instances never claim the same
   * session at once. Returns the claimed session ids with their attempt number (1 for the first).
   */
  claimAnalyses(claim: AnalysisClaim): Promise<{ sessionId: string; attempt: number }[]>;
  /** Deletes sessions older than the retention cutoffs; returns the count. */
  purge(rules: PurgeRules): Promise<number>;
  close(): Promise<void>;
}
