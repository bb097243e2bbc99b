import { upgradeWebSocket } from "@hono/node-server";
import { Hono } from "hono";
import type { Context } from "hono";
import { cors } from "hono/cors";
import { WebSocketServer } from "ws";
import { chatRoute } from "./chat-route.ts";
import { FaultInjector } from "./fault-injector.ts";
import { resolveLatency, type LatencyPresetName, type LatencyProfile } from "./latency-profile.ts";
import type { RecordedRequest } from "./recorded-request.ts";
import type { RouteContext } from "./route-context.ts";
import type { Speak } from "./realtime-call.ts";
import { realtimeRoute } from "./realtime-route.ts";
import { realtimeSocket } from "./realtime-socket.ts";
import { sideband, sidebandGuard } from "./sideband.ts";
import { synthesizeOffThread } from "./speech-thread.ts";
import { speechRoute } from "./speech-route.ts";
import { StandinError } from "./standin-error.ts";
import { transcriptionRoute } from "./transcription-route.ts";
import { sleep, UpstreamDelays, type Sleep } from "./upstream-delays.ts";
import type { WebRtcCall } from "./webrtc-call.ts";
import { webrtcRoute } from "./webrtc-route.ts";

export type * from "./recorded-request.ts";
export { realtimeEvents, type RealtimeServerEvent } from "./realtime-events.ts";
export { StandinError } from "./standin-error.ts";
export type { Fault, FaultKind, FaultRoute } from "./fault-injector.ts";
export { LATENCY_PRESETS, latencyFromEnv, resolveLatency } from "./latency-profile.ts";
export type { LatencyPresetName, LatencyProfile } from "./latency-profile.ts";
export type { Sleep } from "./upstream-delays.ts";

export interface StandinOptions {
  /**
   * How long each stage takes: a preset's name or values over `instant` (see {@link resolveLatency};
   * e.g. `{ llmFirstTokenMs: 0, llmPerTokenMs: 0 }` for text at once, `{ ttsPace: 1 }` for speech at real
   * time, `'typical-cloud'` for a hosted provider's timing). Default `'instant'`.
   */
  latency?: LatencyPresetName | Partial<LatencyProfile>;
  /**
   * Keep synthesized speech and answer a repeated `/audio/speech` request from memory, so its time to
   * first byte is not eSpeak NG's (for benchmarks of what sits in front of the stand-in). Default false.
   */
  cacheSpeech?: boolean;
  /** Clock for recorded times, `created` stamps and the latency profile's waits, ms since the Unix epoch. Default `Date.now`. */
  now?: () => number;
  /** Waits of the latency profile (tests inject one that advances a fake `now`). Default `setTimeout`. */
  sleep?: Sleep;
}

/** A stand-in app and its request log. */
export interface Standin {
  /** The Hono app; it does not listen (serve `app.fetch`, or call `app.request()`). */
  app: Hono;
  /** Every request, in arrival order. Cleared in place by `DELETE /__standin/requests`. */
  requests: RecordedRequest[];
  /** Faults armed through `POST /__standin/faults` (or directly, in-process). */
  faults: FaultInjector;
}

/**
 * Creates the offline upstream stand-in: an OpenAI-compatible server for
 * `POST /v1/audio/transcriptions`, `/v1/chat/completions`, `/v1/audio/speech` and
 * `/v1/realtime/client_secrets`, of the realtime WebSocket `GET /v1/realtime?model=…` (served with
 * {@link webSocketServing}), and of WebRTC realtime calls (`POST /v1/realtime/calls`, sidebands
 * `GET /v1/realtime?call_id=…`, `POST /v1/realtime/calls/{call_id}/hangup`: see `webrtc-route.ts`), that needs no provider (deterministic text, real speech from eSpeak NG). Any non-empty bearer token is
 * accepted. `GET /__standin/requests` returns the request log and `DELETE` clears it, for tests
 * in another process. `POST /__standin/faults` arms a {@link Fault} (`{ route, kind, times }`: the next
 * `times` requests to `route` fail with an `error`, `stall` mid-body or are `slow`; with route
 * `realtime-call` the next `times` responses on realtime calls fail with an `error` event, `stall` or `drop`
 * the socket, or hang up the WebRTC call, mid-reply); `GET` lists the armed faults and `DELETE` disarms them all. How long it takes is
 * its latency profile ({@link StandinOptions.latency}).
 */
export function createStandin(options: StandinOptions = {}): Standin {
  const requests: RecordedRequest[] = [];
  const faults = new FaultInjector();
  const now = options.now ?? Date.now;
  const context: RouteContext = {
    delays: new UpstreamDelays(resolveLatency(options.latency), { now, sleep: options.sleep ?? sleep }),
    speechCache: options.cacheSpeech ? new Map() : undefined,
    clientSecrets: new Map(),
    now,
    record(entry) {
      requests.push(entry);
      return entry;
    },
  };

  // A realtime reply is spoken whole, off the event loop (it paces WebRTC audio); from the speech cache when
  // the stand-in keeps one.
  const speak: Speak = async (text, voice, speed) => {
    const key = `realtime|${voice}|${speed}|${text}`;
    const cached = context.speechCache?.get(key)?.[0];
    if (cached) return cached;
    const pcm = await synthesizeOffThread(text, { ...(voice ? { voice } : {}), ...(speed ? { speed } : {}) });
    context.speechCache?.set(key, [pcm]);
    return pcm;
  };

  const fault = () => faults.take("realtime-call");
  const calls = new Map<string, WebRtcCall>();

  const reject = (c: Context, error: StandinError) => {
    const { method, path } = c.req;
    context.record({ route: "rejected", time: now(), method, path, status: error.status, code: error.code });
    return c.json(error.toBody(), error.status);
  };

  const v1 = new Hono()
    // A browser posts its WebRTC offer with an ephemeral key to the provider itself, as to OpenAI's API.
    .use("/realtime/calls", cors({ origin: "*", allowHeaders: ["authorization", "content-type"], exposeHeaders: ["location"] }))
    .use(async (c, next) => {
      if (!/^Bearer\s+\S/.test(c.req.header("authorization") ?? "")) {
        throw new StandinError(401, "invalid_api_key", "Missing bearer token: send `Authorization: Bearer <any key>`.");
      }
      await next();
    })
    .use(faults.middleware())
    .route("/", transcriptionRoute(context))
    .route("/", chatRoute(context))
    .route("/", speechRoute(context))
    .route("/", realtimeRoute(context))
    .route("/", webrtcRoute({ context, calls, speak, fault }))
    .get(
      "/realtime",
      sidebandGuard(calls),
      upgradeWebSocket((c) => {
        const callId = c.req.query("call_id");
        return callId === undefined ? realtimeSocket(c, { context, speak, fault }) : sideband(calls.get(callId));
      }),
    );

  const app = new Hono()
    .get("/__standin/requests", (c) => c.json(requests))
    .delete("/__standin/requests", (c) => {
      requests.length = 0;
      return c.body(null, 204);
    })
    .post("/__standin/faults", async (c) => c.json(faults.add(await c.req.json().catch(() => undefined)), 201))
    .get("/__standin/faults", (c) => c.json(faults.list()))
    .delete("/__standin/faults", (c) => {
      faults.clear();
      return c.body(null, 204);
    })
    .route("/v1", v1);
  app.notFound((c) => reject(c, new StandinError(404, "not_found", `The stand-in has no ${c.req.method} ${c.req.path}.`)));
  app.onError((error, c) => {
    if (error instanceof StandinError) return reject(c, error);
    console.error("standin: unexpected error", error);
    return reject(c, new StandinError(500, "standin_failure", `The stand-in failed: ${error.message}`, { cause: error }));
  });
  return { app, requests, faults };
}

/** What `serve()` of `@hono/node-server` needs for the stand-in's realtime WebSocket: `serve({ fetch, ...webSocketServing() })`. */
export function webSocketServing(): { websocket: { server: WebSocketServer } } {
  return { websocket: { server: new WebSocketServer({ noServer: true }) } };
}
