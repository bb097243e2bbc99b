/** The idle clock of a realtime call the relay holds (its WebSocket bridge, or a WebRTC call's sideband). */

/** Least time between two keep-alives of the session, ms (less for a shorter idle timeout). */
const KEEP_ALIVE_MS = 5000;

/** What an {@link IdleWatch} needs. */
export interface IdleWatchOptions {
  /** How long the call may stay without activity, ms. */
  idleTimeoutMs: number;
  /** Clock, epoch ms. */
  now: () => number;
  /** Moves the session's own idle clock on (its coordination and records). */
  keepAlive: () => void;
  /** The call idled for {@link idleTimeoutMs}. */
  idle: () => void;
}

/**
 * Ends a call that stays inactive for the idle timeout, and keeps the relay session alive while the call
 * is active: {@link active} moves the session's clock on at most every 5 s, and at least four times per
 * idle timeout, so that a busy call's session never lapses between two keep-alives.
 */
export class IdleWatch {
  readonly #o: IdleWatchOptions;
  readonly #every: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #keptAliveAt = -Infinity;

  constructor(options: IdleWatchOptions) {
    this.#o = options;
    this.#every = Math.min(KEEP_ALIVE_MS, options.idleTimeoutMs / 4);
  }

  /** The call is active: its idle timeout starts again. */
  active(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#o.idle, this.#o.idleTimeoutMs);
    const now = this.#o.now();
    if (now - this.#keptAliveAt >= this.#every) {
      this.#keptAliveAt = now;
      this.#o.keepAlive();
    }
  }

  /** The call ended. */
  stop(): void {
    clearTimeout(this.#timer);
  }
}
