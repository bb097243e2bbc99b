import type { MiddlewareHandler } from "hono";
import { isRecord } from "./json-body.ts";
import { StandinError, type StandinErrorStatus } from "./standin-error.ts";

const STATUSES: readonly StandinErrorStatus[] = [400, 401, 404, 429, 500, 502, 503];

/**
 * The upstream routes a fault can target (the `route` of their request-log entries): the HTTP routes, and
 * `realtime-call`, the responses of calls on the realtime WebSocket.
 */
export const FAULT_ROUTES = ["transcription", "chat", "speech", "realtime", "realtime-call"] as const;
export type FaultRoute = (typeof FAULT_ROUTES)[number];

/**
 * On an HTTP route:
 * - `error`: answer at once with an OpenAI-style error (`status`, default 500 `server_error`).
 * - `stall`: send the headers and the first `afterChunks` body chunks, then nothing until the client leaves.
 * - `slow`: wait `delayMs` before the headers and before every body chunk.
 *
 * On `realtime-call`, each response of a call takes a hit:
 * - `error`: an `error` event (`server_error`, code `injected_fault`), then `response.done` with status
 *   `failed`; no audio.
 * - `stall`: the first `afterChunks` deltas (audio, or a tool call's arguments), then nothing until the
 *   response is cancelled (`response.done` `cancelled`) or the socket closes.
 * - `drop`: the first `afterChunks` deltas, then the socket is dropped without a close frame (the client
 *   sees 1006).
 *
 * A response of at most `afterChunks` deltas is sent whole (the fault is spent on it).
 */
export type FaultKind = "error" | "stall" | "slow" | "drop";

/** One armed fault, as posted to `POST /__standin/faults`. */
export interface Fault {
  route: FaultRoute;
  kind: FaultKind;
  /** How many of the next requests to `route` (responses, for `realtime-call`) it hits; default 1. */
  times: number;
  /** `error` on an HTTP route: HTTP status, one of 400, 401, 404, 429, 500, 502, 503; default 500. */
  status?: number;
  /**
   * `stall`, `drop`: body chunks (a chat stream's first chunk is the role), or a realtime response's deltas,
   * sent first; default 2.
   */
  afterChunks?: number;
  /** `slow`: pause before the headers and each body chunk, ms; default 500. */
  delayMs?: number;
}

/** The kinds each route takes. */
const KINDS = (route: FaultRoute): readonly FaultKind[] =>
  route === "realtime-call" ? ["error", "stall", "drop"] : ["error", "stall", "slow"];

const PATHS: Record<string, FaultRoute> = {
  "/v1/audio/transcriptions": "transcription",
  "/v1/chat/completions": "chat",
  "/v1/audio/speech": "speech",
  "/v1/realtime/client_secrets": "realtime",
};

/**
 * Faults armed by tests in another process (the e2e suite): each request to a faulted route (each response
 * of a realtime call, for `realtime-call`) takes one hit of the oldest fault for it, until its `times` run out.
 */
export class FaultInjector {
  readonly #faults: Fault[] = [];

  /** Validates and arms `body`; @throws StandinError 400 for a malformed fault. */
  add(body: unknown): Fault {
    if (!isRecord(body)) throw StandinError.badRequest("invalid_fault", "Expected a JSON object { route, kind, times }.", "body");
    const { route, kind, times = 1, status = 500, afterChunks = 2, delayMs = 500 } = body;
    if (!FAULT_ROUTES.includes(route as FaultRoute))
      throw StandinError.badRequest("invalid_fault", `\`route\` must be one of ${FAULT_ROUTES.join(", ")}.`, "route");
    const kinds = KINDS(route as FaultRoute);
    if (!kinds.includes(kind as FaultKind)) {
      const message =
        kind === "drop" ? "`kind` drop is for route realtime-call only." : `\`kind\` must be ${kinds.join(", ")} on route ${route}.`;
      throw StandinError.badRequest("invalid_fault", message, "kind");
    }
    const count = (value: unknown, min: number, max: number) =>
      Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
    if (!count(times, 1, 1000)) throw StandinError.badRequest("invalid_fault", "`times` must be an integer from 1 to 1000.", "times");
    if (!STATUSES.includes(status as StandinErrorStatus))
      throw StandinError.badRequest("invalid_fault", `\`status\` must be one of ${STATUSES.join(", ")}.`, "status");
    if (!count(afterChunks, 0, 10_000))
      throw StandinError.badRequest("invalid_fault", "`afterChunks` must be an integer ≥ 0.", "afterChunks");
    if (!count(delayMs, 0, 60_000))
      throw StandinError.badRequest("invalid_fault", "`delayMs` must be an integer from 0 to 60000.", "delayMs");
    const fault: Fault = {
      route: route as FaultRoute,
      kind: kind as FaultKind,
      times: times as number,
      status: status as number,
      afterChunks: afterChunks as number,
      delayMs: delayMs as number,
    };
    this.#faults.push(fault);
    return fault;
  }

  /** The armed faults with the hits they have left. */
  list(): readonly Fault[] {
    return this.#faults;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** Middleware for the `/v1` routes: applies the next fault armed for the request's route. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const route = PATHS[new URL(c.req.url).pathname];
      const fault = route && this.take(route);
      if (!fault) return next();
      if (fault.kind === "error") {
        const status = fault.status as StandinErrorStatus;
        throw new StandinError(status, "injected_fault", `Injected ${status} on ${route} (POST /__standin/faults).`, {
          type: status >= 500 ? "server_error" : "invalid_request_error",
        });
      }
      if (fault.kind === "slow") await sleep(fault.delayMs!);
      await next();
      const body = c.res.body;
      if (!body) return;
      const wrapped = fault.kind === "stall" ? stallAfter(body, fault.afterChunks!) : slowDown(body, fault.delayMs!);
      c.res = new Response(wrapped, c.res);
    };
  }

  /** One hit of the oldest fault armed for `route`, if any. */
  take(route: FaultRoute): Fault | undefined {
    const index = this.#faults.findIndex((f) => f.route === route);
    if (index < 0) return undefined;
    const fault = this.#faults[index]!;
    if (--fault.times === 0) this.#faults.splice(index, 1);
    return fault;
  }
}

/** Passes `count` chunks of `body`, then never ends; cancelling it cancels `body`. */
function stallAfter(body: ReadableStream<Uint8Array>, count: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let passed = 0;
  let release: () => void = () => {};
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (passed++ >= count) return new Promise<void>((resolve) => (release = resolve));
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason);
    },
  });
}

/** `body` with a pause of `delayMs` before each chunk. */
function slowDown(body: ReadableStream<Uint8Array>, delayMs: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      await sleep(delayMs);
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
