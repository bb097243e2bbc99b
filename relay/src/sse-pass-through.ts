import type { Readable } from "node:stream";
import { HttpError } from "./http-error.ts";
import type { ErrorBody } from "./protocol.ts";
import { frameEnd, parseFrame } from "./sse-frames.ts";
import type { StreamGuard } from "./stream-watch.ts";
import { UpstreamPump, type UpstreamSink } from "./upstream-pump.ts";

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

export interface SsePassThroughOptions {
  guard: StreamGuard;
  /** Aborted when the client goes away; a failure after that is not reported. */
  client: AbortSignal;
  observer?: SseStreamObserver | undefined;
  /** Called once with the error the stream ends with. */
  onError(error: HttpError): void;
  /** Decides per event (after the observer saw it) whether it reaches the client; default: every one, untouched. */
  filter?: ((data: unknown) => EventVerdict) | undefined;
  /**
   * Asked once when the upstream ended cleanly: true closes the stream without `[DONE]` and without the
   * observer's `beforeEnd`, since another upstream answer continues the reply (see `UpstreamStage.rounds`).
   */
  continues?: (() => boolean) | undefined;
}

/** What becomes of one event: passed through as it came, dropped, or replaced by this JSON. */
export type EventVerdict = "forward" | "drop" | { replace: unknown };

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");
/** An upstream frame longer than this is refused rather than buffered without end (bytes). */
const MAX_FRAME_BYTES = 1 << 20;

/** One `data:` frame of `json`. */
export const dataFrame = (json: unknown) => encoder.encode(`data: ${JSON.stringify(json)}\n\n`);

/** The relay's error event, the last frame of a failed stream. */
export const errorFrame = (error: HttpError) => dataFrame({ error: { code: error.code, message: error.message } } satisfies ErrorBody);

/**
 * Relays an OpenAI-style chat completion SSE body with the same rules as the `openai` SDK's stream, but
 * passes the upstream's bytes through untouched instead of re-encoding each chunk: an event is forwarded
 * when its data is JSON without an `error`; `data: [DONE]` ends the stream; an `error` event, an event
 * with an `error` member or malformed JSON ends it with the relay's own error event (the upstream's
 * error body never reaches the client). A stream that ends without `[DONE]` gets one. Runs under a
 * {@link StreamGuard} (silence → `upstream_timeout`, shutdown → `shutting_down` event); cancelling the
 * result (the client went away) aborts the upstream request.
 */
export function ssePassThrough(upstream: Readable, options: SsePassThroughOptions): ReadableStream<Uint8Array> {
  const { guard, observer } = options;
  /** The start of an incomplete frame, in the chunks it came in: joined once, when the frame is complete. */
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  /** The last bytes of `pending`, enough to see a frame end that spans two chunks. */
  let tail = new Uint8Array(0);
  let ended = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let pump!: UpstreamPump;

  const finish = async (error: HttpError | undefined) => {
    ended = true;
    pump.stop(error ? "abort" : "drain");
    if (!error && options.continues?.()) {
      controller.close();
      return;
    }
    if (error) options.onError(error);
    await observer?.beforeEnd(error && { code: error.code, message: error.message });
    controller.enqueue(error ? errorFrame(error) : DONE);
    controller.close();
  };

  /** Keeps the start of an incomplete frame; an error once the frame is longer than {@link MAX_FRAME_BYTES}. */
  const hold = (bytes: Uint8Array): HttpError | undefined => {
    pending.push(bytes.slice());
    pendingBytes += bytes.length;
    tail = (bytes.length >= 3 ? bytes : concat(tail, bytes)).slice(-3);
    return pendingBytes > MAX_FRAME_BYTES ? new HttpError(502, "upstream_error", `The ${guard.stage} stream failed.`) : undefined;
  };

  /**
   * `chunk` and what is pending, joined when that completes a frame (the chunks of a long frame are
   * searched once each, not again with every chunk); undefined when the frame is still incomplete.
   */
  const complete = (chunk: Uint8Array): Uint8Array | undefined => {
    if (pendingBytes === 0) return chunk;
    if (frameEnd(concat(tail, chunk), 0) < 0) return undefined;
    const bytes = Buffer.concat([...pending, chunk]);
    pending = [];
    pendingBytes = 0;
    return bytes;
  };

  /** Forwards the complete frames of `bytes`; returns an error to end with, or "done", or undefined. */
  const scan = (bytes: Uint8Array): HttpError | "done" | undefined => {
    let start = 0;
    let forwardFrom = 0;
    const flush = (to: number) => {
      if (to > forwardFrom) controller.enqueue(bytes.subarray(forwardFrom, to));
    };
    for (let end = frameEnd(bytes, 0); end >= 0; start = end, end = frameEnd(bytes, end)) {
      const { event, data } = parseFrame(bytes.subarray(start, end));
      const outcome = data === undefined ? "skip" : data === "[DONE]" ? "done" : inspect(event, data);
      if (outcome === "forward") continue;
      flush(start);
      forwardFrom = end;
      if (outcome === "skip") continue;
      if (typeof outcome === "object" && "replace" in outcome) controller.enqueue(dataFrame(outcome.replace));
      else return outcome;
    }
    flush(start);
    return start < bytes.length ? hold(bytes.subarray(start)) : undefined;
  };

  const inspect = (event: string | undefined, data: string): "forward" | "skip" | { replace: unknown } | HttpError => {
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
    const verdict = options.filter ? options.filter(json) : "forward";
    return verdict === "drop" ? "skip" : verdict;
  };

  const sink: UpstreamSink = {
    chunk(chunk) {
      const bytes = complete(chunk);
      const outcome = bytes ? scan(bytes) : hold(chunk);
      if (outcome === "done") void finish(undefined);
      else if (outcome) void finish(outcome);
      else if (controller.desiredSize! <= 0) pump.pause();
    },
    end(failure) {
      // The client went away (cancel() has run, or is about to): nothing to report or record.
      if (!options.client.aborted) void finish(failure);
    },
  };

  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        pump = new UpstreamPump(upstream, guard, sink);
      },
      pull() {
        pump.resume();
      },
      cancel() {
        pump.stop("abort");
        if (!ended) {
          ended = true;
          observer?.onCancel();
        }
      },
    },
    { highWaterMark: 1 },
  );
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
