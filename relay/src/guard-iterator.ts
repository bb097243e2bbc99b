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
  /** Aborted by the guard when it gives up on the upstream, so the upstream request is cancelled. */
  upstream: AbortController;
}

/**
 * Yields `source` chunk by chunk as they arrive, but gives up (aborting `guard.upstream`) when no chunk
 * comes for `guard.idleMs` (throws 504 `upstream_timeout`) or when the relay shuts down (throws 503
 * `shutting_down`). Stopping early closes `source`.
 */
export async function* guardIterator<T>(source: AsyncIterable<T>, guard: StreamGuard): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await nextWithin(iterator, guard);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Closing a stream whose pending read was abandoned must not surface as an unhandled rejection.
    iterator.return?.()?.catch(() => {});
  }
}

function nextWithin<T>(iterator: AsyncIterator<T>, guard: StreamGuard): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const fail = (error: HttpError) => {
      cleanup();
      guard.upstream.abort(error);
      reject(error);
    };
    const onClosing = () => fail(new HttpError(503, "shutting_down", "The relay is shutting down: reconnect."));
    const timer = setTimeout(
      () => fail(new HttpError(504, "upstream_timeout", `The ${guard.stage} upstream went silent mid-stream.`)),
      guard.idleMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      guard.closing.removeEventListener("abort", onClosing);
    };
    if (guard.closing.aborted) return onClosing();
    guard.closing.addEventListener("abort", onClosing, { once: true });
    iterator.next().then(
      (result) => {
        cleanup();
        resolve(result);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
