import type { MiddlewareHandler } from "hono";
import { RECORD_ID_HEADER } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import { captureProxyError } from "./capture-proxy-error.ts";
import type { SessionRecorder } from "./session-recorder.ts";
import { teeTranscriptStream } from "./transcript-stream-tee.ts";
import { uuidv7 } from "./uuid-v7.ts";
import { wavDurationSeconds } from "../wav-duration.ts";

/**
 * Around `POST /v1/audio/transcriptions`: records the transcript as the visitor's message, with the
 * utterance's audio duration and the STT latency, and commits it before the response leaves. The
 * message's record id goes to the widget in {@link RECORD_ID_HEADER}. A streamed transcription (SSE) is
 * recorded from its `transcript.text.done` event, committed before that event leaves.
 */
export function captureTranscription(recorder: SessionRecorder, now: () => number): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const startAt = now();
    const t0 = performance.now();
    await next();
    if (!c.res.ok) return captureProxyError(c, recorder, "stt");
    const sttMs = Math.round(performance.now() - t0);
    const file = (await c.req.formData()).get("file");
    // The same reading of the upload the route's length limit used.
    const seconds = file instanceof Blob ? wavDurationSeconds(new Uint8Array(await file.arrayBuffer())) : undefined;
    const audioDurationMs = seconds === undefined ? null : Math.round(seconds * 1000);
    const id = uuidv7(startAt);
    const sessionId = c.get("session").sid;
    const record = (text: string, ms: number) => recorder.message(sessionId, { id, role: "user", text, startAt, endAt: now(), audioDurationMs, latency: { upstreamSttMs: ms }, utteranceId: c.get("turnId") ?? null });
    if (c.res.body && c.res.headers.get("content-type")?.startsWith("text/event-stream")) {
      // Streamed: the transcript is final (and its latency known) at the `done` event.
      c.res = new Response(teeTranscriptStream(c.res.body, (text) => record(text, Math.round(performance.now() - t0))), c.res);
    } else {
      const { text } = (await c.res.clone().json()) as { text: string };
      await record(text, sttMs);
    }
    c.res.headers.set(RECORD_ID_HEADER, id);
  };
}
