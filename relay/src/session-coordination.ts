import type { SessionRevocations } from "./session-revocations.ts";
import type { HitResult } from "./window-counter.ts";

/**
 * What every relay instance must agree on about sessions, so that a second instance behind a load
 * balancer cannot be used to get around it: per-minute request budgets (per session, per client address,
 * the widget's reports), the idle clocks, and the sessions revoked before their end (ended, deleted,
 * forgotten; the {@link SessionRevocations} part). Implementations: `MemorySessionCoordination` (one
 * instance, the default; its revocations in memory or persisted in the SQLite records file) and
 * `PostgresSessionCoordination` (every instance on one database). Both pass
 * `session-coordination.contract.ts`. The checks are synchronous: no round trip on a request's path.
 */
export interface SessionCoordination extends SessionRevocations {
  /**
   * Counts one request of `key` (e.g. `req:<session id>`, `ip:<address>`) at `now` (epoch ms) against
   * `limit` per minute; refuses it, with the wait until the minute resets, when over.
   */
  hit(key: string, now: number, limit: number): HitResult;
  /**
   * Records activity of session `sid` at `now` unless it has been idle for `idleTimeoutMs` or longer
   * (on any instance), in which case it is ended for good.
   *
   * @param endMs - when the session ends anyway, epoch ms (its clock is kept until then)
   * @returns false when the session has ended by idling
   */
  touch(sid: string, now: number, endMs: number, idleTimeoutMs: number): boolean;
  /** Stops timers and releases connections; idempotent. */
  close(): Promise<void>;
}
