import type { StreamGuard } from "./stream-watch.ts";
import { StreamWatch } from "./stream-watch.ts";

/** Sees the bytes of a {@link guardStream} go by, e.g. to record them; never holds them. */
export interface ByteStreamObserver {
  /** A chunk of `bytes` bytes is about to reach the client. */
  onBytes(bytes: number): void;
  /** The stream is over: `aborted` when the client went away or the upstream failed (a shutdown ends it cleanly). */
  onEnd(aborted: boolean): void;
}

/**
 * Passes a byte stream through chunk by chunk, untouched and unbuffered, under a {@link StreamGuard}: a
 * silent upstream errors the stream (the connection is cut, since raw audio has no room for an error
 * event); a relay shutdown ends it cleanly. Cancelling the result (the client went away) aborts the
 * upstream request. One read of the upstream per chunk, no extra promise or timer per chunk.
 */
export function guardStream(body: ReadableStream<Uint8Array>, guard: StreamGuard, observer?: ByteStreamObserver): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const watch = new StreamWatch(guard);
  let ended = false;
  const end = (aborted: boolean) => {
    if (ended) return;
    ended = true;
    watch.dispose();
    observer?.onEnd(aborted);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        watch.waiting();
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (error) {
          if (ended) return;
          const failure = watch.failure;
          end(failure?.code !== "shutting_down");
          if (failure?.code === "shutting_down") controller.close();
          else controller.error(failure ?? error);
          return;
        }
        watch.arrived();
        if (ended) return;
        if (next.done) {
          // An aborted upstream body may end quietly instead of throwing.
          const failure = watch.failure;
          end(failure !== undefined && failure.code !== "shutting_down");
          if (failure && failure.code !== "shutting_down") controller.error(failure);
          else controller.close();
          return;
        }
        observer?.onBytes(next.value.byteLength);
        controller.enqueue(next.value);
      },
      cancel(reason) {
        end(true);
        guard.upstream.abort();
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}
