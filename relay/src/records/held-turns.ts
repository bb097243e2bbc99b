/** How long a speculative turn's held writes wait for its commit, ms. */
const HELD_TURN_MS = 60_000;
/** How long a committed turn is remembered, so that its replies still streaming are written at their end, ms. */
const COMMITTED_TURN_MS = 600_000;

interface HeldTurn {
  committed: boolean;
  writes: Set<() => Promise<void>>;
  expiry: ReturnType<typeof setTimeout>;
}

/**
 * The record writes of speculative requests (sent at a pause, before the visitor's turn ended), per
 * session and turn, until the widget commits the turn: then they are written in the order they were
 * held, and later writes of the turn go through at once. A turn never committed is forgotten after a
 * minute, with what it held. Per relay instance.
 */
export class HeldTurns {
  readonly #turns = new Map<string, HeldTurn>();

  /**
   * Runs `write` now when the turn is committed, else holds it until it is; the returned function
   * withdraws a write still held (a speculative request the widget cancelled).
   */
  hold(sessionId: string, turnId: string, write: () => Promise<void>): () => void {
    const turn = this.#turn(sessionId, turnId);
    if (turn.committed) {
      void write();
      return () => {};
    }
    turn.writes.add(write);
    return () => void turn.writes.delete(write);
  }

  /** Whether the turn was committed (its writes go through at once). */
  committed(sessionId: string, turnId: string): boolean {
    return this.#turns.get(key(sessionId, turnId))?.committed ?? false;
  }

  /** Commits the turn: writes what it holds, in order; resolves when they are committed. */
  async commit(sessionId: string, turnId: string): Promise<void> {
    const turn = this.#turn(sessionId, turnId);
    turn.committed = true;
    clearTimeout(turn.expiry);
    turn.expiry = this.#forget(key(sessionId, turnId), COMMITTED_TURN_MS);
    const writes = [...turn.writes];
    turn.writes.clear();
    for (const write of writes) await write();
  }

  #turn(sessionId: string, turnId: string): HeldTurn {
    const k = key(sessionId, turnId);
    let turn = this.#turns.get(k);
    if (!turn) {
      turn = { committed: false, writes: new Set(), expiry: this.#forget(k, HELD_TURN_MS) };
      this.#turns.set(k, turn);
    }
    return turn;
  }

  /** Forgets turn `k` after `afterMs`. */
  #forget(k: string, afterMs: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => this.#turns.delete(k), afterMs);
    timer.unref();
    return timer;
  }
}

const key = (sessionId: string, turnId: string) => `${sessionId} ${turnId}`;
