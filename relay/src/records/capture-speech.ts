import type { MiddlewareHandler } from "hono";
import type { RelayEnv } from "../relay-env.ts";
import { captureProxyError } from "./capture-proxy-error.ts";
import type { SessionRecorder } from "./session-recorder.ts";

/**
 * Around `POST /v1/audio/speech`: counts the streamed audio bytes on their way through (never holding
 * them) and queues a `speech` event with the time to the first byte and the total.
 */
export function captureSpeech(recorder: SessionRecorder): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const t0 = performance.now();
    await next();
    if (!c.res.ok) return captureProxyError(c, recorder, "tts");
    const res = c.res;
    if (!res.body) return;
    const sessionId = c.get("session").sid;
    let bytes = 0;
    let firstByteMs: number | undefined;
    const done = (aborted: boolean) =>
      recorder.event(sessionId, "speech", { bytes, ttsFirstByteMs: firstByteMs ?? null, totalMs: Math.round(performance.now() - t0), aborted });
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        firstByteMs ??= Math.round(performance.now() - t0);
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      flush: () => done(false),
      cancel: () => done(true),
    });
    c.res = new Response(res.body.pipeThrough(counter), res);
  };
}
