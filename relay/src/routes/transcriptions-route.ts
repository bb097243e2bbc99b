import { type Context, Hono } from "hono";
import type OpenAI from "openai";
import { HttpError } from "../http-error.ts";
import { PATHS, RECORD_ID_HEADER } from "../protocol.ts";
import { type Recorder, recordScope, type TranscriptionRecord } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { ssePassThrough } from "../sse-pass-through.ts";
import { upstreamError } from "../upstream-error.ts";
import { upstreamStream } from "../upstream-http.ts";
import { wavDurationSeconds } from "../wav-duration.ts";

/** Dependencies of {@link createTranscriptionsRoute}. */
export interface TranscriptionsRouteOptions {
  stt: OpenAI;
  recorder: Recorder;
  /** Longest silence (ms) of the upstream between events. */
  streamIdleMs: number;
  /** Aborted when the relay shuts down. */
  closing: AbortSignal;
  log: RelayLog;
}

/**
 * `POST /v1/audio/transcriptions`: multipart with a `file` (the utterance, a WAV no longer than the agent's
 * `limits.maxUtteranceSeconds`, else 413 `audio_too_long`) → the agent's STT model → `{ text }`. With
 * `stream=true` the upstream's `transcript.text.delta` / `transcript.text.done` events pass through as
 * they arrive, bytes untouched (`ssePassThrough`: a failure after the start ends the stream with one
 * `data: {"error":…}` frame; the stream ends with `data: [DONE]`). Other
 * audio formats, compressed ones inside a WAV included, are refused (415), since their duration cannot be
 * checked cheaply. The upstream gets the audio as `utterance.wav`, `audio/wav`, and the agent's
 * `stt.language`, or the client's `language` when it is one of the agent's `stt.languages`; the client's
 * file name and type, `model`, `prompt` and other fields are ignored. The transcript is recorded as the
 * visitor's message before the answer (streamed: before `[DONE]`); its record id goes out as `x-record-id`.
 */
export function createTranscriptionsRoute(options: TranscriptionsRouteOptions): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(PATHS.transcriptions, async (c) => {
    const record = options.recorder.transcription(recordScope(c));
    try {
      return await transcribe(c, options, record);
    } catch (error) {
      record.failed(error, c.req.raw.signal.aborted);
      throw error;
    }
  });
}

/** Checks the upload, calls the upstream and answers; the transcript goes to `record`. */
async function transcribe(c: Context<RelayEnv>, options: TranscriptionsRouteOptions, record: TranscriptionRecord): Promise<Response> {
  const { stt } = options;
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
  const bytes = new Uint8Array(await file.arrayBuffer());
  const seconds = wavDurationSeconds(bytes);
  if (seconds === undefined) throw new HttpError(415, "unsupported_media_type", "The audio file must be a PCM WAV.");
  if (seconds > limits.maxUtteranceSeconds) {
    throw new HttpError(413, "audio_too_long", `Utterances are limited to ${limits.maxUtteranceSeconds} seconds.`);
  }
  // Under a name and type of the relay's choosing: some upstreams pick the decoder from them.
  const asked = form.get("language");
  const language = typeof asked === "string" && config.languages?.includes(asked) ? asked : config.language;
  const request = { file: new File([bytes], "utterance.wav", { type: "audio/wav" }), model: config.model, ...(language ? { language } : {}) };
  const audioDurationMs = Math.round(seconds * 1000);
  const recordId: Record<string, string> = record.recordId ? { [RECORD_ID_HEADER]: record.recordId } : {};
  if (form.get("stream") !== "true") {
    const result = await stt.audio.transcriptions.create(request, { signal: c.req.raw.signal }).catch((err: unknown) => {
      throw upstreamError("stt", err);
    });
    await record.transcript(result.text, audioDurationMs);
    return c.json({ text: result.text }, 200, recordId);
  }
  const upstreamAbort = new AbortController();
  const signal = AbortSignal.any([c.req.raw.signal, upstreamAbort.signal, options.closing]);
  const upstream = await stt.audio.transcriptions
    .create({ ...request, stream: true }, { signal })
    .asResponse()
    .catch((err: unknown) => {
      throw upstreamError("stt", err, options.closing);
    });
  const guard = { stage: "stt" as const, idleMs: options.streamIdleMs, closing: options.closing, upstream: upstreamAbort };
  const body = ssePassThrough(upstreamStream(upstream, "stt"), {
    guard,
    client: c.req.raw.signal,
    observer: record.streamObserver(audioDurationMs),
    onError: (error) => options.log({ level: "warn", msg: "stt stream failed", requestId: c.get("requestId"), code: error.code, detail: error.message }),
  });
  // Chunked explicitly, so the Node adapter sends the headers at once instead of waiting for body chunks.
  return c.body(body, 200, { "content-type": "text/event-stream", "cache-control": "no-cache", "transfer-encoding": "chunked", ...recordId });
}
