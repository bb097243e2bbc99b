import type { Context, Hono } from "hono";
import type OpenAI from "openai";
import { HttpError } from "../http-error.ts";
import { PATHS, RECORD_ID_HEADER } from "../protocol.ts";
import type { Recorder } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import { wavDurationSeconds } from "../wav-duration.ts";
import { stageRoute, type UpstreamStageOptions } from "./upstream-stage.ts";

/** Dependencies of {@link createTranscriptionsRoute}. */
export interface TranscriptionsRouteOptions extends UpstreamStageOptions {
  stt: OpenAI;
  recorder: Recorder;
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
 * A speculative request (form field `speculative=true`: sent at a pause, before the turn ended) has its
 * transcript held: it becomes the visitor's message only when the turn's chat request (same `x-turn-id`)
 * arrives, and a speculation the widget abandons shows only as a cancelled request.
 */
export function createTranscriptionsRoute(options: TranscriptionsRouteOptions): Hono<RelayEnv> {
  const { stt, recorder } = options;
  return stageRoute(
    { path: PATHS.transcriptions, stage: "stt", record: (scope) => recorder.transcription(scope) },
    options,
    async (c, upstream, record) => {
      const { form, bytes, seconds } = await readUtterance(c);
      const { stt: config } = c.get("agent");
      // Under a name and type of the relay's choosing: some upstreams pick the decoder from them.
      const asked = form.get("language");
      const language = typeof asked === "string" && config.languages?.includes(asked) ? asked : config.language;
      const request = {
        file: new File([bytes], "utterance.wav", { type: "audio/wav" }),
        model: config.model,
        ...(language ? { language } : {}),
      };
      const audioDurationMs = Math.round(seconds * 1000);
      const speculative = form.get("speculative") === "true";
      if (speculative) record.hold();
      const recordId: Record<string, string> = !speculative && record.recordId ? { [RECORD_ID_HEADER]: record.recordId } : {};
      if (form.get("stream") !== "true") {
        const { text } = await upstream.call((signal) => stt.audio.transcriptions.create(request, { signal }));
        await record.transcript(text, audioDurationMs);
        return c.json({ text }, 200, recordId);
      }
      const answer = await upstream.call((signal) =>
        stt.audio.transcriptions.create({ ...request, stream: true }, { signal }).asResponse(),
      );
      return upstream.events(answer, record.streamObserver(audioDurationMs), recordId);
    },
  );
}

/**
 * The upload's form and its `file`, a PCM WAV within the agent's `limits.maxUtteranceSeconds`.
 *
 * @throws HttpError 415 (not multipart, not a PCM WAV), 400 (no file, unparsable), 413 `audio_too_long`
 */
async function readUtterance(c: Context<RelayEnv>): Promise<{ form: FormData; bytes: Uint8Array<ArrayBuffer>; seconds: number }> {
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
    throw new HttpError(400, "bad_request", 'Missing the audio file: send it as the multipart field "file".');
  }
  const { limits } = c.get("agent");
  const bytes = new Uint8Array(await file.arrayBuffer());
  const seconds = wavDurationSeconds(bytes);
  if (seconds === undefined) throw new HttpError(415, "unsupported_media_type", "The audio file must be a PCM WAV.");
  if (seconds > limits.maxUtteranceSeconds) {
    throw new HttpError(413, "audio_too_long", `Utterances are limited to ${limits.maxUtteranceSeconds} seconds.`);
  }
  return { form, bytes, seconds };
}
