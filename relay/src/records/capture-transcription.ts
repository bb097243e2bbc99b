import type { MiddlewareHandler } from "hono";
import { RECORD_ID_HEADER } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import { captureProxyError } from "./capture-proxy-error.ts";
import type { SessionRecorder } from "./session-recorder.ts";
import { uuidv7 } from "./uuid-v7.ts";
import { wavDurationMs } from "./wav-duration.ts";

/**
 * Around `POST /v1/audio/transcriptions`: records the transcript as the visitor's message, with the
 * utterance's audio duration and the STT latency, and commits it before the response leaves. The
 * message's record id goes to the widget in {@link RECORD_ID_HEADER}.
 */
export function captureTranscription(recorder: SessionRecorder, now: () => number): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const startAt = now();
    const t0 = performance.now();
    await next();
    if (!c.res.ok) return captureProxyError(c, recorder, "stt");
    const sttMs = Math.round(performance.now() - t0);
    const { text } = (await c.res.clone().json()) as { text: string };
    const file = (await c.req.formData()).get("file");
    const audioDurationMs = file instanceof Blob ? ((await wavDurationMs(file)) ?? null) : null;
    const id = uuidv7(startAt);
    await recorder.message(c.get("session").sid, { id, role: "user", text, startAt, endAt: now(), audioDurationMs, latency: { sttMs } });
    c.res.headers.set(RECORD_ID_HEADER, id);
  };
}
