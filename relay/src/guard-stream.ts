import { HttpError } from "./http-error.ts";
import type { StreamGuard } from "./guard-iterator.ts";
import { guardIterator } from "./guard-iterator.ts";

/**
 * Passes a byte stream through chunk by chunk (no buffering) under a {@link StreamGuard}: a silent
 * upstream errors the stream (the connection is cut, since raw audio has no room for an error event);
 * a relay shutdown ends it cleanly. Cancelling the result (the client went away) cancels `body`.
 */
export function guardStream(body: ReadableStream<Uint8Array>, guard: StreamGuard): ReadableStream<Uint8Array> {
  const chunks = guardIterator(body, guard);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          if (error instanceof HttpError && error.code === "shutting_down") controller.close();
          else controller.error(error);
        }
      },
      async cancel() {
        guard.upstream.abort();
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
