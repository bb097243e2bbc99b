import type { StatementSync } from "node:sqlite";
import type { RecordOp } from "./record-op.ts";
import { analysisColumns, ENDED_STATUSES_SQL } from "./record-rows.ts";
import type { AnalysisClaim } from "./session-store.ts";

/** The SQLite store's cached statement lookup. */
type Sql = (sql: string) => StatementSync;

// The SQLite half of the analysis claims; `SqliteSessionStore` calls these inside its transactions.

/** The `set-analysis` op: only a `pending` analysis takes an outcome. */
export function sqliteSetAnalysis(sql: Sql, op: Extract<RecordOp, { op: "set-analysis" }>): void {
  sql(
    `UPDATE session_analyses SET status = ?, next_at = ?, result = ?, model = ?, prompt_tokens = ?, completion_tokens = ?,
       error = ?, completed_at = ? WHERE session_id = ? AND status = 'pending'`,
  ).run(...analysisColumns(op.outcome), op.sessionId);
}

/** Call inside a transaction (SQLite has one writer: the claim cannot race). */
export function sqliteClaimAnalyses(sql: Sql, claim: AnalysisClaim): { sessionId: string; attempt: number }[] {
  return sql(
    `INSERT INTO session_analyses (session_id, status, attempts, next_at)
     SELECT s.id, 'pending', 1, ?1 FROM sessions s LEFT JOIN session_analyses a ON a.session_id = s.id
     WHERE s.ended_at BETWEEN ?2 AND ?3 AND s.status IN ${ENDED_STATUSES_SQL}
       AND s.agent IN (SELECT value FROM json_each(?4))
       AND (a.session_id IS NULL OR (a.status = 'pending' AND a.next_at <= ?5))
     ORDER BY s.ended_at LIMIT ?6
     ON CONFLICT (session_id) DO UPDATE SET attempts = attempts + 1, next_at = excluded.next_at
     RETURNING session_id, attempts`,
  )
    .all(claim.now + claim.leaseMs, claim.endedAfter, claim.endedBefore, JSON.stringify(claim.agents), claim.now, claim.limit)
    .map((row) => ({ sessionId: row.session_id as string, attempt: Number(row.attempts) }));
}
