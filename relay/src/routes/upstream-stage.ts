import { type Context, Hono } from "hono";
import { guardStream, type ByteStreamObserver } from "../guard-stream.ts";
import { type RecordScope, recordScope, type StageRecord } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { HttpError } from "../http-error.ts";
import { dataFrame, errorFrame, ssePassThrough, type EventVerdict, type SseStreamObserver } from "../sse-pass-through.ts";
import { upstreamError } from "../upstream-error.ts";
import { upstreamStream } from "../upstream-http.ts";
import type { Stage } from "../upstreams.ts";

/** What every upstream route shares: the stream guard's bound, the relay's shutdown and the log. */
export interface UpstreamStageOptions {
  /** Longest silence (ms) of the upstream between chunks of a streamed answer. */
  streamIdleMs: number;
  /** Aborted when the relay shuts down: ends calls in flight (503 `shutting_down`) and streams (cleanly). */
  closing: AbortSignal;
  log: RelayLog;
}

/**
 * One request's call of an upstream stage, and the pass-through of its answer. Every call listens to
 * the client (it went away), the stream watch (the upstream went silent) and the relay's shutdown.
 */
export class UpstreamStage {
  /** Pass to the SDK call: aborted when the client leaves, the watch gives up or the relay shuts down. */
  readonly signal: AbortSignal;
  readonly #c: Context<RelayEnv>;
  readonly #stage: Stage;
  readonly #options: UpstreamStageOptions;
  readonly #watch = new AbortController();

  constructor(c: Context<RelayEnv>, stage: Stage, options: UpstreamStageOptions) {
    this.#c = c;
    this.#stage = stage;
    this.#options = options;
    this.signal = AbortSignal.any([c.req.raw.signal, this.#watch.signal, options.closing]);
  }

  /**
   * Awaits the upstream's answer to `request` (called with {@link signal}). A failure becomes the relay's
   * error: 503 `shutting_down` when the relay shuts down, 504 `upstream_timeout`, else 502 `upstream_error`.
   */
  async call<T>(request: (signal: AbortSignal) => PromiseLike<T>, signal = this.signal): Promise<T> {
    try {
      return await request(signal);
    } catch (err) {
      throw upstreamError(this.#stage, err, this.#options.closing);
    }
  }

  /**
   * Answers 200 with the upstream's SSE events passed through as they arrive (`ssePassThrough`: bytes
   * untouched, `[DONE]` at the end, a failure after the start as one error event, which is logged).
   */
  events(upstream: Response, observer: SseStreamObserver | undefined, headers: Record<string, string> = {}): Response {
    const body = ssePassThrough(upstreamStream(upstream, this.#stage), {
      guard: this.#guard(),
      client: this.#c.req.raw.signal,
      observer,
      onError: this.#logFailure,
    });
    return this.#stream(body, { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers });
  }

  /**
   * Like {@link events}, over several upstream answers in one response: each round's events pass through
   * `plan.filter`; when a round ends cleanly and `plan.continues()`, `plan.next` runs (it may add frames,
   * e.g. a tool's status) and returns the next round's answer, each round under a stream watch of its
   * own. `[DONE]` (and the observer's `beforeEnd`) come once, after the last round; a failure between
   * rounds ends the stream with the relay's error event like a failure within one.
   */
  rounds(first: Response, plan: StreamRounds, observer: SseStreamObserver | undefined, headers: Record<string, string> = {}): Response {
    const client = this.#c.req.raw.signal;
    const cancelled = new AbortController();
    let continuing = false;
    let between = false;
    const open = (answer: Response, upstream: AbortController) =>
      ssePassThrough(upstreamStream(answer, this.#stage), {
        guard: { ...this.#guard(), upstream },
        client,
        observer,
        onError: this.#logFailure,
        filter: (data) => plan.filter(data),
        continues: () => (continuing = plan.continues()),
      }).getReader();
    let current = open(first, this.#watch);
    const body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          for (;;) {
            const { value, done } = await current.read();
            if (!done) return controller.enqueue(value);
            if (!continuing) return controller.close();
            continuing = false;
            between = true;
            const upstream = new AbortController();
            const signal = AbortSignal.any([client, cancelled.signal, upstream.signal, this.#options.closing]);
            try {
              const send = (frame: unknown) => void (cancelled.signal.aborted || controller.enqueue(dataFrame(frame)));
              const answer = await this.call((s) => plan.next(send, s), signal);
              between = false;
              // Cancelled as the answer came (the observer heard it already): drop the answer unread.
              if (cancelled.signal.aborted) return void upstreamStream(answer, this.#stage).destroy();
              current = open(answer, upstream);
            } catch (err) {
              between = false;
              if (client.aborted || cancelled.signal.aborted) return;
              const error = err instanceof HttpError ? err : new HttpError(502, "upstream_error", `The ${this.#stage} stream failed.`);
              this.#logFailure(error);
              await observer?.beforeEnd({ code: error.code, message: error.message });
              controller.enqueue(errorFrame(error));
              return controller.close();
            }
          }
        },
        cancel: async (reason) => {
          cancelled.abort();
          if (between) observer?.onCancel();
          else await current.cancel(reason);
        },
      },
      { highWaterMark: 1 },
    );
    return this.#stream(body, { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers });
  }

  readonly #logFailure = (error: HttpError) =>
    this.#options.log({
      level: "warn",
      msg: `${this.#stage} stream failed`,
      requestId: this.#c.get("requestId"),
      code: error.code,
      detail: error.message,
    });

  /**
   * Answers 200 with the upstream's bytes passed through chunk by chunk (`guardStream`); a silent upstream
   * cuts the client's connection on Node, since raw bytes have no room for an error.
   */
  bytes(upstream: Response, observer: ByteStreamObserver | undefined, headers: Record<string, string>): Response {
    const outgoing = this.#c.env?.outgoing;
    const body = guardStream(upstreamStream(upstream, this.#stage), this.#guard(), observer, outgoing && (() => outgoing.destroy()));
    return this.#stream(body, headers);
  }

  #guard() {
    return { stage: this.#stage, idleMs: this.#options.streamIdleMs, closing: this.#options.closing, upstream: this.#watch };
  }

  #stream(body: ReadableStream<Uint8Array>, headers: Record<string, string>): Response {
    // Chunked explicitly, so the Node adapter sends the headers at once instead of waiting for body chunks.
    return this.#c.body(body, 200, { ...headers, "transfer-encoding": "chunked" });
  }
}

/** How {@link UpstreamStage.rounds} continues a reply over several upstream answers. */
export interface StreamRounds {
  /** Each upstream event's fate (after the records saw it). */
  filter(data: unknown): EventVerdict;
  /** Asked once at each round's clean end: whether another round follows. */
  continues(): boolean;
  /** Between rounds: may send frames (JSON, each as one `data:` event), then asks for the next round's answer. */
  next(send: (frame: unknown) => void, signal: AbortSignal): Promise<Response>;
}

/** One upstream route: its path, its stage, and the record it keeps of each request (none for some). */
export interface StageRouteSpec<R extends StageRecord | undefined> {
  path: string;
  stage: Stage;
  record: (scope: RecordScope) => R;
}

/**
 * `POST spec.path` behind `requireSession`, calling the upstream `spec.stage`: `handle` gets the request's
 * {@link UpstreamStage} and record; a failure is told to the record (an `error` or `client-gone` event)
 * before the app's error handler answers it.
 */
export function stageRoute<R extends StageRecord | undefined>(
  spec: StageRouteSpec<R>,
  options: UpstreamStageOptions,
  handle: (c: Context<RelayEnv>, upstream: UpstreamStage, record: R) => Promise<Response>,
): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(spec.path, async (c) => {
    const record = spec.record(recordScope(c));
    try {
      return await handle(c, new UpstreamStage(c, spec.stage, options), record);
    } catch (error) {
      record?.failed(error, c.req.raw.signal.aborted);
      throw error;
    }
  });
}
