import type { MiddlewareHandler } from "hono";
import type { RelayEnv } from "../relay-env.ts";
import { captureProxyError, turn } from "./capture-proxy-error.ts";
import type { SessionRecorder } from "./session-recorder.ts";

/**
 * Around `POST /v1/audio/speech`: counts the streamed audio bytes as the route relays them (never holding
 * them, no extra stream layer) and queues a `speech` event with the time to the first byte and the total.
 */
export function captureSpeech(recorder: SessionRecorder): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const t0 = performance.now();
    let bytes = 0;
    let firstByteMs: number | undefined;
    c.set("byteObserver", {
      onBytes(n) {
        firstByteMs ??= Math.round(performance.now() - t0);
        bytes += n;
      },
      onEnd(aborted) {
        recorder.event(c.get("session").sid, "speech", { bytes, ttsFirstByteMs: firstByteMs ?? null, totalMs: Math.round(performance.now() - t0), aborted, ...turn(c) });
      },
    });
    await next();
    if (!c.res.ok) return captureProxyError(c, recorder, "tts");
  };
}
