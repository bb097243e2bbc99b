import type { SessionCoordination } from "./session-coordination.ts";
import { SessionActivity } from "./session-activity.ts";
import type { HitResult } from "./window-counter.ts";
import { WindowCounter } from "./window-counter.ts";

/** {@link SessionCoordination} in this process's memory: right for one relay instance. */
export class MemorySessionCoordination implements SessionCoordination {
  readonly #counter = new WindowCounter(Infinity, 60_000);
  readonly #activity = new SessionActivity();

  hit(key: string, now: number, limit: number): HitResult {
    return this.#counter.hit(key, now, limit);
  }

  touch(sid: string, now: number, endMs: number, idleTimeoutMs: number): boolean {
    return this.#activity.touch(sid, now, endMs, idleTimeoutMs);
  }

  async close(): Promise<void> {}
}
