import type { Readable } from "node:stream";
import type { StreamGuard } from "./stream-watch.ts";
import { UpstreamPump } from "./upstream-pump.ts";

/** Sees the bytes of a {@link guardStream} go by, e.g. to record them; never holds them. */
export interface ByteStreamObserver {
  /** A chunk of `bytes` bytes is about to reach the client. */
  onBytes(bytes: number): void;
  /** The stream is over: `aborted` when the client went away or the upstream failed (a shutdown ends it cleanly). */
  onEnd(aborted: boolean): void;
}

/**
 * Passes an upstream's byte stream through chunk by chunk, untouched and unbuffered, under a
 * {@link StreamGuard}: a silent upstream cuts the client's connection (raw audio has no room for an error
 * event, and a clean end would pass the reply off as complete) through `cut`, which destroys the socket
 * when the app runs on Node; without one, the stream errors. A relay shutdown ends it cleanly. Cancelling
 * the result (the client went away) aborts the upstream request.
 */
export function guardStream(
  upstream: Readable,
  guard: StreamGuard,
  observer?: ByteStreamObserver,
  cut?: () => void,
): ReadableStream<Uint8Array> {
  let pump!: UpstreamPump;
  let ended = false;
  const end = (aborted: boolean) => {
    if (ended) return;
    ended = true;
    observer?.onEnd(aborted);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        pump = new UpstreamPump(upstream, guard, {
          chunk(bytes) {
            observer?.onBytes(bytes.byteLength);
            controller.enqueue(bytes);
            if (controller.desiredSize! <= 0) pump.pause();
          },
          end(failure) {
            const clean = failure === undefined || failure.code === "shutting_down";
            end(!clean);
            if (clean) controller.close();
            // Node's adapter would print an erroring body's stack and write its message into the audio.
            else if (cut) cut();
            else controller.error(failure);
          },
        });
      },
      pull() {
        pump.resume();
      },
      cancel() {
        end(true);
        pump.stop("abort");
      },
    },
    { highWaterMark: 1 },
  );
}
