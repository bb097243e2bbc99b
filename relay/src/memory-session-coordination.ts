import { MemorySessionRevocations } from "./memory-session-revocations.ts";
import type { SessionCoordination } from "./session-coordination.ts";
import { SessionActivity } from "./session-activity.ts";
import type { SessionRevocations } from "./session-revocations.ts";
import type { HitResult } from "./window-counter.ts";
import { WindowCounter } from "./window-counter.ts";

/**
 * {@link SessionCoordination} of one relay instance: budgets and idle clocks in this process's memory;
 * revocations in memory too unless given (`SqliteSessionRevocations` keeps them across a restart).
 */
export class MemorySessionCoordination implements SessionCoordination {
  readonly #counter = new WindowCounter(Infinity, 60_000);
  readonly #activity = new SessionActivity();
  readonly #revocations: SessionRevocations;

  /** @param revocations - where revocations are kept; default in memory */
  constructor(revocations: SessionRevocations = new MemorySessionRevocations()) {
    this.#revocations = revocations;
  }

  hit(key: string, now: number, limit: number): HitResult {
    return this.#counter.hit(key, now, limit);
  }

  touch(sid: string, now: number, endMs: number, idleTimeoutMs: number): boolean {
    return this.#activity.touch(sid, now, endMs, idleTimeoutMs);
  }

  revoke(sessionIds: readonly string[], until: number): Promise<void> {
    return this.#revocations.revoke(sessionIds, until);
  }

  isRevoked(sessionId: string): boolean {
    return this.#revocations.isRevoked(sessionId);
  }

  close(): Promise<void> {
    return this.#revocations.close();
  }
}
