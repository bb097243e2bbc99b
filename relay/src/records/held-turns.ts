/** How long a speculative turn's held writes wait for its commit, ms. */
const HELD_TURN_MS = 60_000;
/** How long a committed turn is remembered, so that its replies still streaming are written at their end, ms. */
const COMMITTED_TURN_MS = 600_000;

interface HeldTurn {
  committed: boolean;
  writes: Set<() => Promise<void>>;
  expiry: ReturnType<typeof setTimeout>;
}

/** When a watched turn asks whether another instance received its commit, ms after the watch began. */
const WATCH_AFTER_MS = [1_000, 5_000, 20_000, 50_000];

/** Whether the turn's commit reached the session's records through another instance. */
export type CommittedElsewhere = (sessionId: string, turnId: string) => Promise<boolean>;

/**
 * The record writes of speculative requests (sent at a pause, before the visitor's turn ended), per
 * session and turn, until the widget commits the turn: then they are written in the order they were
 * held, and later writes of the turn go through at once. A turn never committed is forgotten after a
 * minute, with what it held. Held in this instance's memory; a {@link watch}ed turn also asks
 * `committedElsewhere` a few times, for a commit that reached another instance.
 */
export class HeldTurns {
  readonly #turns = new Map<string, HeldTurn>();
  readonly #committedElsewhere: CommittedElsewhere | undefined;

  constructor(committedElsewhere?: CommittedElsewhere) {
    this.#committedElsewhere = committedElsewhere;
  }

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

  /**
   * Watches a turn whose writes wait (a speculative reply that ended before its commit): until the turn
   * is committed or forgotten, asks whether its commit reached another instance, then commits it here.
   */
  watch(sessionId: string, turnId: string): void {
    const ask = this.#committedElsewhere;
    if (!ask) return;
    const k = key(sessionId, turnId);
    const turn = this.#turns.get(k);
    if (!turn) return;
    for (const afterMs of WATCH_AFTER_MS) {
      const timer = setTimeout(async () => {
        if (this.#turns.get(k) !== turn || turn.committed || turn.writes.size === 0) return;
        if (await ask(sessionId, turnId).catch(() => false)) await this.commit(sessionId, turnId);
      }, afterMs);
      timer.unref();
    }
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
