import { HttpError } from "./http-error.ts";
import type { Stage } from "./upstreams.ts";

/** Options of {@link guardIterator} and `guardStream`. */
export interface StreamGuard {
  /** Which upstream the stream comes from, for error messages. */
  stage: Stage;
  /** Longest wait for the next chunk (ms) before the upstream counts as silent. */
  idleMs: number;
  /** Aborted when the relay shuts down. */
  closing: AbortSignal;
  /** Aborted by the guard when it gives up on the upstream; must be the upstream request's signal. */
  upstream: AbortController;
}

/**
 * Yields `source` chunk by chunk as they arrive, but gives up when no chunk comes for `guard.idleMs`
 * (throws 504 `upstream_timeout`) or when the relay shuts down (throws 503 `shutting_down`). Giving up
 * aborts `guard.upstream`, which is what ends the pending read. Time the consumer spends writing a
 * chunk to a slow client does not count as upstream silence.
 */
export async function* guardIterator<T>(source: AsyncIterable<T>, guard: StreamGuard): AsyncGenerator<T> {
  let failure: HttpError | undefined;
  const fail = (error: HttpError) => {
    failure ??= error;
    guard.upstream.abort(error);
  };
  // One timer per stream, re-armed lazily, rather than one timer and one promise per chunk.
  let last = performance.now();
  const check = () => {
    const idle = performance.now() - last;
    if (idle >= guard.idleMs) fail(new HttpError(504, "upstream_timeout", `The ${guard.stage} upstream went silent mid-stream.`));
    else timer = setTimeout(check, guard.idleMs - idle);
  };
  let timer = setTimeout(check, guard.idleMs);
  const onClosing = () => fail(new HttpError(503, "shutting_down", "The relay is shutting down: reconnect."));
  if (guard.closing.aborted) onClosing();
  guard.closing.addEventListener("abort", onClosing, { once: true });
  try {
    for await (const chunk of source) {
      if (failure) break;
      last = performance.now();
      yield chunk;
      last = performance.now();
    }
  } catch (error) {
    throw failure ?? error;
  } finally {
    clearTimeout(timer);
    guard.closing.removeEventListener("abort", onClosing);
  }
  // An aborted SDK stream may end quietly instead of throwing.
  if (failure) throw failure;
}
