/** Outcome of {@link WindowCounter.hit}. */
export type HitResult = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Fixed-window counters keyed by string (session id, client IP): at most `limit` hits per `windowMs`.
 * In memory, so per relay instance; expired windows are swept as new keys arrive, which bounds memory by
 * the keys active within one window.
 */
export class WindowCounter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #windows = new Map<string, { start: number; count: number }>();
  #lastSweep = 0;

  /** `limit` hits per `windowMs` milliseconds. */
  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one hit for `key` at `now` (epoch ms); refuses it, with the wait until the window resets, when over the limit. */
  hit(key: string, now: number, limit = this.#limit): HitResult {
    this.#sweep(now);
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.#windowMs) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    if (window.count >= limit) return { ok: false, retryAfterMs: window.start + this.#windowMs - now };
    window.count++;
    return { ok: true };
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < this.#windowMs) return;
    this.#lastSweep = now;
    for (const [key, window] of this.#windows) if (now - window.start >= this.#windowMs) this.#windows.delete(key);
  }
}
