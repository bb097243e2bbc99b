/**
 * When each session was last active, for the agents' idle timeout. In memory, so per relay instance: a
 * session unknown here (new, or served by another instance until now) counts as active. A session that
 * went idle stays ended. Entries are dropped once their session's end has passed.
 */
export class SessionActivity {
  readonly #seen = new Map<string, { at: number; end: number; idle: boolean }>();
  #lastSweep = 0;

  /**
   * Records activity of session `sid` at `now` (epoch ms) unless it has been idle for `idleTimeoutMs` or
   * longer, in which case it is ended for good.
   *
   * @param endMs - when the session ends anyway, epoch ms (the entry is kept until then)
   * @returns false when the session has ended by idling
   */
  touch(sid: string, now: number, endMs: number, idleTimeoutMs: number): boolean {
    this.#sweep(now);
    const entry = this.#seen.get(sid);
    if (entry && (entry.idle || now - entry.at >= idleTimeoutMs)) {
      entry.idle = true;
      return false;
    }
    this.#seen.set(sid, { at: now, end: endMs, idle: false });
    return true;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [sid, entry] of this.#seen) if (now >= entry.end) this.#seen.delete(sid);
  }
}
