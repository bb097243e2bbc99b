import type pg from "pg";
import type { RecordOp } from "./record-op.ts";
import { analysisColumns, ENDED_STATUSES_SQL } from "./record-rows.ts";
import type { AnalysisClaim } from "./session-store.ts";

type Db = Pick<pg.Pool, "query">;

// The PostgreSQL half of the analysis claims; `PostgresSessionStore` calls these.

/** The `set-analysis` ops of a batch (inside its transaction): only a `pending` analysis takes an outcome. */
export async function postgresSetAnalyses(db: Db, ops: readonly Extract<RecordOp, { op: "set-analysis" }>[]): Promise<void> {
  for (const op of ops) {
    await db.query(
      `UPDATE session_analyses SET status = $1, next_at = $2, result = $3::jsonb, model = $4, prompt_tokens = $5,
         completion_tokens = $6, error = $7, completed_at = $8 WHERE session_id = $9 AND status = 'pending'`,
      [...analysisColumns(op.outcome), op.sessionId],
    );
  }
}

/** One statement: two instances may select the same due session, and the upsert's WHERE lets only the first claim count. */
export async function postgresClaimAnalyses(db: Db, claim: AnalysisClaim): Promise<{ sessionId: string; attempt: number }[]> {
  const { rows } = await db.query<{ session_id: string; attempts: number }>(
    `INSERT INTO session_analyses (session_id, status, attempts, next_at)
     SELECT s.id, 'pending', 1, $1 FROM sessions s LEFT JOIN session_analyses a ON a.session_id = s.id
     WHERE s.ended_at BETWEEN $2 AND $3 AND s.status IN ${ENDED_STATUSES_SQL} AND s.agent = ANY($4::text[])
       AND (a.session_id IS NULL OR (a.status = 'pending' AND a.next_at <= $5))
     ORDER BY s.ended_at LIMIT $6
     ON CONFLICT (session_id) DO UPDATE SET attempts = session_analyses.attempts + 1, next_at = EXCLUDED.next_at
       WHERE session_analyses.status = 'pending' AND session_analyses.next_at <= $5
     RETURNING session_id, attempts`,
    [claim.now + claim.leaseMs, claim.endedAfter, claim.endedBefore, [...claim.agents], claim.now, claim.limit],
  );
  return rows.map((row) => ({ sessionId: row.session_id, attempt: Number(row.attempts) }));
}
