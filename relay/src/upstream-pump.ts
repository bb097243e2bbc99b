import type { Readable } from "node:stream";
import { HttpError } from "./http-error.ts";
import type { StreamGuard } from "./stream-watch.ts";
import { StreamWatch } from "./stream-watch.ts";

/** What an {@link UpstreamPump} feeds. */
export interface UpstreamSink {
  /** A chunk of the upstream body, as it arrived. */
  chunk(bytes: Uint8Array): void;
  /**
   * The upstream body is over: `failure` undefined when it ended normally, else why it failed (silence,
   * shutdown, a broken connection). Not called once the pump was stopped.
   */
  end(failure: HttpError | undefined): void;
}

/**
 * Reads an upstream's Node body stream chunk by chunk into a sink, under a {@link StreamWatch} (silence →
 * `upstream_timeout`, shutdown → `shutting_down`; either aborts `guard.upstream`, which destroys the
 * request). No promise, timer or stream layer per chunk: `data` events go straight to the sink.
 * `pause()` / `resume()` carry the client's backpressure; time paused does not count as upstream silence.
 */
export class UpstreamPump {
  readonly #upstream: Readable;
  readonly #guard: StreamGuard;
  readonly #watch: StreamWatch;
  readonly #sink: UpstreamSink;
  #stopped = false;

  constructor(upstream: Readable, guard: StreamGuard, sink: UpstreamSink) {
    this.#upstream = upstream;
    this.#guard = guard;
    this.#sink = sink;
    this.#watch = new StreamWatch(guard);
    upstream.on("data", this.#onData);
    upstream.once("end", () => this.#end(this.#watch.failure));
    const broken = () => {
      if (!this.#stopped) this.#end(this.#watch.failure ?? new HttpError(502, "upstream_error", `The ${guard.stage} stream failed.`));
    };
    // Kept for the stream's whole life (idempotent): an error after stop() must not go unhandled.
    upstream.on("error", broken);
    upstream.once("close", broken);
    this.#watch.waiting();
  }

  /** The sink cannot take more for now. */
  pause(): void {
    if (this.#stopped) return;
    this.#upstream.pause();
    this.#watch.arrived();
  }

  /** The sink can take more. */
  resume(): void {
    if (this.#stopped || !this.#upstream.isPaused()) return;
    this.#watch.waiting();
    this.#upstream.resume();
  }

  /**
   * Stops feeding the sink. `"drain"` reads the rest of the body (normally just its end, so the upstream
   * connection can be reused) and ignores it, cutting an upstream that does not end within `idleMs`;
   * `"abort"` aborts the upstream request.
   */
  stop(how: "drain" | "abort"): void {
    if (!this.#detach()) return;
    if (how === "abort") {
      this.#guard.upstream.abort();
      this.#upstream.destroy();
      return;
    }
    const cut = setTimeout(() => this.#guard.upstream.abort(), this.#guard.idleMs);
    this.#upstream.once("close", () => clearTimeout(cut));
    this.#upstream.resume();
  }

  readonly #onData = (bytes: Uint8Array) => {
    this.#watch.arrived();
    this.#sink.chunk(bytes);
    if (!this.#stopped && !this.#upstream.isPaused()) this.#watch.waiting();
  };

  #end(failure: HttpError | undefined): void {
    if (this.#detach()) this.#sink.end(failure);
  }

  /** Stops the watch and the feeding, once; false when that already happened. */
  #detach(): boolean {
    if (this.#stopped) return false;
    this.#stopped = true;
    this.#watch.dispose();
    this.#upstream.off("data", this.#onData);
    return true;
  }
}
