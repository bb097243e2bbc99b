import { HttpError } from "./http-error.ts";
import type { ErrorBody } from "./protocol.ts";
import { frameEnd, parseFrame } from "./sse-frames.ts";
import type { StreamGuard } from "./stream-watch.ts";
import { StreamWatch } from "./stream-watch.ts";

/** Sees the events of an {@link ssePassThrough} go by, e.g. to record the reply. */
export interface SseStreamObserver {
  /** The parsed JSON of each event forwarded to the client. */
  onEvent(data: unknown): void;
  /**
   * The stream is about to end with `data: [DONE]` (`error` undefined) or with the relay's error event.
   * The final frame waits for the returned promise.
   */
  beforeEnd(error: ErrorBody["error"] | undefined): Promise<void>;
  /** The client went away before the end. */
  onCancel(): void;
}

/** Options of {@link ssePassThrough}. */
export interface SsePassThroughOptions {
  guard: StreamGuard;
  /** Aborted when the client goes away; a failure after that is not reported. */
  client: AbortSignal;
  observer?: SseStreamObserver | undefined;
  /** Called once with the error the stream ends with. */
  onError(error: HttpError): void;
}

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");
/** An upstream frame longer than this is refused rather than buffered without end (bytes). */
const MAX_FRAME_BYTES = 1 << 20;

const errorFrame = (error: HttpError) => {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  return encoder.encode(`data: ${JSON.stringify(body)}\n\n`);
};

/**
 * Relays an OpenAI-style chat completion SSE body with the same rules as the `openai` SDK's stream, but
 * passes the upstream's bytes through untouched instead of re-encoding each chunk: an event is forwarded
 * when its data is JSON without an `error`; `data: [DONE]` ends the stream; an `error` event, an event
 * with an `error` member or malformed JSON ends it with the relay's own error event (the upstream's
 * error body never reaches the client). A stream that ends without `[DONE]` gets one. Runs under a
 * {@link StreamGuard} (silence → `upstream_timeout`, shutdown → `shutting_down` event); cancelling the
 * result (the client went away) aborts the upstream request.
 */
export function ssePassThrough(body: ReadableStream<Uint8Array>, options: SsePassThroughOptions): ReadableStream<Uint8Array> {
  const { guard, observer } = options;
  const reader = body.getReader();
  const watch = new StreamWatch(guard);
  let pending: Uint8Array | undefined;
  let ended = false;
  let forwarded = false;

  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>, error: HttpError | undefined) => {
    ended = true;
    watch.dispose();
    if (error) options.onError(error);
    await observer?.beforeEnd(error && { code: error.code, message: error.message });
    controller.enqueue(error ? errorFrame(error) : DONE);
    controller.close();
    if (error) {
      guard.upstream.abort(error);
      reader.cancel().catch(() => {});
    } else {
      drainAfterDone(reader, guard);
    }
  };

  /** Forwards the complete frames of `bytes`; returns an error to end with, or "done", or undefined. */
  const scan = (bytes: Uint8Array, controller: ReadableStreamDefaultController<Uint8Array>): HttpError | "done" | undefined => {
    let start = 0;
    let forwardFrom = 0;
    const flush = (to: number) => {
      if (to <= forwardFrom) return;
      controller.enqueue(bytes.subarray(forwardFrom, to));
      forwarded = true;
    };
    for (let end = frameEnd(bytes, 0); end >= 0; start = end, end = frameEnd(bytes, end)) {
      const { event, data } = parseFrame(bytes.subarray(start, end));
      const outcome = data === undefined ? "skip" : data === "[DONE]" ? "done" : inspect(event, data);
      if (outcome === "forward") continue;
      flush(start);
      forwardFrom = end;
      if (outcome !== "skip") {
        pending = undefined;
        return outcome;
      }
    }
    flush(start);
    pending = start < bytes.length ? bytes.slice(start) : undefined;
    if (pending && pending.length > MAX_FRAME_BYTES) return new HttpError(502, "upstream_error", `The ${guard.stage} stream failed.`);
    return undefined;
  };

  const inspect = (event: string | undefined, data: string): "forward" | HttpError => {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return new HttpError(502, "upstream_error", `The ${guard.stage} stream failed.`);
    }
    if (event === "error" || (json !== null && typeof json === "object" && "error" in json && json.error)) {
      return new HttpError(502, "upstream_error", `The ${guard.stage} upstream answered an error.`);
    }
    observer?.onEvent(json);
    return "forward";
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          watch.waiting();
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            // The client went away (cancel() has run, or is about to): nothing to report or record.
            if (ended || options.client.aborted) return;
            const failure = watch.failure ?? (error instanceof HttpError ? error : new HttpError(502, "upstream_error", `The ${guard.stage} stream failed.`));
            return finish(controller, failure);
          }
          watch.arrived();
          if (ended) return;
          if (next.done) {
            if (options.client.aborted) return;
            return finish(controller, watch.failure);
          }
          const bytes = pending ? concat(pending, next.value) : next.value;
          forwarded = false;
          const outcome = scan(bytes, controller);
          if (outcome === "done") return finish(controller, undefined);
          if (outcome) return finish(controller, outcome);
          // Something was forwarded: let the client take it before reading on.
          if (forwarded) return;
        }
      },
      cancel(reason) {
        watch.dispose();
        if (!ended) {
          ended = true;
          observer?.onCancel();
        }
        guard.upstream.abort();
        return reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Reads what an upstream sends after `[DONE]` (normally just the end of the body, so the connection can
 * be reused) and ignores it; an upstream that does not end within `guard.idleMs` is cut.
 */
function drainAfterDone(reader: ReadableStreamDefaultReader<Uint8Array>, guard: StreamGuard): void {
  const cut = setTimeout(() => guard.upstream.abort(), guard.idleMs);
  const drain = async () => {
    while (!(await reader.read()).done);
  };
  drain()
    .catch(() => {})
    .finally(() => clearTimeout(cut));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
