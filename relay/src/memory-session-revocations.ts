import type { SessionRevocations } from "./session-revocations.ts";

/** How often revocations past their `until` are swept out, at most (ms). */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * {@link SessionRevocations} in this process's memory: right for one relay instance without a shared
 * database (records off, or kept only for this process), and the cache in front of the shared
 * implementations. Lost on restart.
 */
export class MemorySessionRevocations implements SessionRevocations {
  /** Revoked session ids with the epoch ms until which they stay revoked. */
  readonly #until = new Map<string, number>();
  readonly #now: () => number;
  #sweptAt: number;

  /** @param now - clock, epoch ms; default `Date.now` */
  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#sweptAt = now();
  }

  /** How many revocations are remembered (swept ones excluded). */
  get size(): number {
    return this.#until.size;
  }

  async revoke(sessionIds: readonly string[], until: number): Promise<void> {
    this.add(sessionIds, until);
  }

  /** {@link revoke}, synchronously: for the shared implementations filling their cache. */
  add(sessionIds: readonly string[], until: number): void {
    for (const id of sessionIds) this.#until.set(id, Math.max(until, this.#until.get(id) ?? until));
    this.#sweep();
  }

  isRevoked(sessionId: string): boolean {
    return this.#until.has(sessionId);
  }

  async close(): Promise<void> {}

  /** Forgets revocations past their `until`, at most once per {@link SWEEP_INTERVAL_MS}. */
  #sweep(): void {
    const now = this.#now();
    if (now - this.#sweptAt < SWEEP_INTERVAL_MS) return;
    this.#sweptAt = now;
    for (const [id, until] of this.#until) if (until <= now) this.#until.delete(id);
  }
}
