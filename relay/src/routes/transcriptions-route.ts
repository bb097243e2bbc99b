import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type OpenAI from "openai";
import { guardIterator } from "../guard-iterator.ts";
import { HttpError } from "../http-error.ts";
import type { ErrorBody } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import { upstreamError } from "../upstream-error.ts";
import { wavDurationSeconds } from "../wav-duration.ts";

/** Stream guarding of {@link createTranscriptionsRoute} (as for chat). */
export interface TranscriptionsRouteOptions {
  /** Longest silence (ms) of the upstream between events. */
  streamIdleMs: number;
  /** Aborted when the relay shuts down. */
  closing: AbortSignal;
}

/**
 * `POST /v1/audio/transcriptions`: multipart with a `file` (the utterance, a WAV no longer than the agent's
 * `limits.maxUtteranceSeconds`, else 413 `audio_too_long`) → the agent's STT model → `{ text }`. With
 * `stream=true` the upstream's `transcript.text.delta` / `transcript.text.done` events are relayed as SSE
 * as they arrive (a failure after the start ends the stream with one `data: {"error":…}` frame). Other
 * audio formats are refused (415), since their duration cannot be checked cheaply. Client-sent `model`,
 * `prompt` and other fields are ignored.
 */
export function createTranscriptionsRoute(stt: OpenAI, options: TranscriptionsRouteOptions): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post("/v1/audio/transcriptions", async (c) => {
    if (!/^multipart\/form-data\b/i.test(c.req.header("content-type") ?? "")) {
      throw new HttpError(415, "unsupported_media_type", "Expected multipart/form-data with a file field.");
    }
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch (cause) {
      // The body limit aborts the body stream with its own HttpError; keep that one.
      if (cause instanceof HttpError) throw cause;
      throw new HttpError(400, "bad_request", "The multipart body could not be parsed.");
    }
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0) {
      throw new HttpError(400, "bad_request", "Missing the audio file: send it as the multipart field \"file\".");
    }
    const { stt: config, limits } = c.get("agent");
    const seconds = wavDurationSeconds(new Uint8Array(await file.arrayBuffer()));
    if (seconds === undefined) throw new HttpError(415, "unsupported_media_type", "The audio file must be a PCM WAV.");
    if (seconds > limits.maxUtteranceSeconds) {
      throw new HttpError(413, "audio_too_long", `Utterances are limited to ${limits.maxUtteranceSeconds} seconds.`);
    }
    const request = { file, model: config.model, ...(config.language ? { language: config.language } : {}) };
    if (form.get("stream") !== "true") {
      const result = await stt.audio.transcriptions.create(request, { signal: c.req.raw.signal }).catch((err: unknown) => {
        throw upstreamError("stt", err);
      });
      return c.json({ text: result.text });
    }
    const upstreamAbort = new AbortController();
    const signal = AbortSignal.any([c.req.raw.signal, upstreamAbort.signal, options.closing]);
    const upstream = await stt.audio.transcriptions.create({ ...request, stream: true }, { signal }).catch((err: unknown) => {
      throw upstreamError("stt", err);
    });
    const guard = { stage: "stt" as const, idleMs: options.streamIdleMs, closing: options.closing, upstream: upstreamAbort };
    return streamSSE(c, async (sse) => {
      try {
        for await (const event of guardIterator(upstream, guard)) await sse.writeSSE({ data: JSON.stringify(event) });
      } catch (err) {
        if (c.req.raw.signal.aborted) return;
        const mapped = err instanceof HttpError ? err : upstreamError("stt", err);
        const httpError = mapped instanceof HttpError ? mapped : new HttpError(502, "upstream_error", "The stt stream failed.");
        const frame: ErrorBody = { error: { code: httpError.code, message: httpError.message } };
        await sse.writeSSE({ data: JSON.stringify(frame) });
      }
    });
  });
}
