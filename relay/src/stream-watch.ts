import { HttpError } from "./http-error.ts";
import type { Stage } from "./upstreams.ts";

export interface StreamGuard {
  /** Which upstream the stream comes from, for error messages. */
  stage: Stage;
  /** Longest wait for the next chunk (ms) before the upstream counts as silent. */
  idleMs: number;
  /** Aborted when the relay shuts down. */
  closing: AbortSignal;
  /** Aborted by the watch when it gives up on the upstream; must be the upstream request's signal. */
  upstream: AbortController;
}

/**
 * Watches one upstream stream: gives up when no chunk comes for `guard.idleMs` while the relay waits for
 * one (504 `upstream_timeout`) or when the relay shuts down (503 `shutting_down`). Giving up aborts
 * `guard.upstream`, which is what ends the pending read; {@link failure} then says why. Time the relay
 * spends delivering a chunk to a slow client does not count as upstream silence. One timer per stream,
 * re-armed lazily, rather than one timer or promise per chunk.
 */
export class StreamWatch {
  /** Why the watch gave up, once it has. */
  failure: HttpError | undefined;
  readonly #guard: StreamGuard;
  #waitingSince = 0;
  #waiting = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onClosing = () => this.#fail(new HttpError(503, "shutting_down", "The relay is shutting down: reconnect."));

  constructor(guard: StreamGuard) {
    this.#guard = guard;
    this.#timer = setTimeout(this.#check, guard.idleMs);
    if (guard.closing.aborted) this.#onClosing();
    else guard.closing.addEventListener("abort", this.#onClosing, { once: true });
  }

  /** Call before waiting for the next upstream chunk. */
  waiting(): void {
    this.#waitingSince = performance.now();
    this.#waiting = true;
  }

  /** Call when a chunk (or the end) arrived. */
  arrived(): void {
    this.#waiting = false;
  }

  /** Stops the timer and the shutdown listener; call once the stream is over, however it ended. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#guard.closing.removeEventListener("abort", this.#onClosing);
  }

  readonly #check = () => {
    const idle = this.#waiting ? performance.now() - this.#waitingSince : 0;
    if (idle >= this.#guard.idleMs) {
      this.#fail(new HttpError(504, "upstream_timeout", `The ${this.#guard.stage} upstream went silent mid-stream.`));
    } else {
      this.#timer = setTimeout(this.#check, this.#guard.idleMs - idle);
    }
  };

  #fail(error: HttpError): void {
    if (this.failure) return;
    this.failure = error;
    this.dispose();
    this.#guard.upstream.abort(error);
  }
}
