/**
 * Sessions the relay no longer serves before their end: ended by the widget, deleted by an admin, or
 * forgotten by their visitor. `requireSession` refuses their tokens with 401 `session_revoked`.
 * Implementations: `MemorySessionRevocations` (one instance, the default), `SqliteSessionRevocations`
 * (one instance with SQLite records, survives a restart) and `PostgresSessionRevocations` (shared by every
 * instance on one database). All pass `session-revocations.contract.ts`.
 */
export interface SessionRevocations {
  /**
   * Revokes `sessionIds` until `until` (epoch ms: the latest end of those sessions; afterwards their tokens
   * are refused as `session_expired` anyway, so the revocation may be forgotten). Resolves once every
   * instance will see it (for a shared implementation: once it is stored).
   */
  revoke(sessionIds: readonly string[], until: number): Promise<void>;
  /** Whether `sessionId` is revoked, as this instance knows it; synchronous, for every proxy request. */
  isRevoked(sessionId: string): boolean;
  /** Stops timers and releases connections. Idempotent. */
  close(): Promise<void>;
}
