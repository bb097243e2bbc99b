import { Hono } from "hono";
import type OpenAI from "openai";
import { HttpError } from "../http-error.ts";
import type { RelayEnv } from "../relay-env.ts";
import { upstreamError } from "../upstream-error.ts";
import { wavDurationSeconds } from "../wav-duration.ts";

/**
 * `POST /v1/audio/transcriptions`: multipart with a `file` (the utterance, a WAV no longer than the agent's
 * `limits.maxUtteranceSeconds`, else 413 `audio_too_long`) → the agent's STT model → `{ text }`. Other
 * audio formats are refused (415), since their duration cannot be checked cheaply. Client-sent `model`,
 * `prompt` and other fields are ignored.
 */
export function createTranscriptionsRoute(stt: OpenAI): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post("/v1/audio/transcriptions", async (c) => {
    if (!/^multipart\/form-data\b/i.test(c.req.header("content-type") ?? "")) {
      throw new HttpError(415, "unsupported_media_type", "Expected multipart/form-data with a file field.");
    }
    let file: unknown;
    try {
      file = (await c.req.formData()).get("file");
    } catch (cause) {
      // The body limit aborts the body stream with its own HttpError; keep that one.
      if (cause instanceof HttpError) throw cause;
      throw new HttpError(400, "bad_request", "The multipart body could not be parsed.");
    }
    if (!(file instanceof File) || file.size === 0) {
      throw new HttpError(400, "bad_request", "Missing the audio file: send it as the multipart field \"file\".");
    }
    const { stt: config, limits } = c.get("agent");
    const seconds = wavDurationSeconds(new Uint8Array(await file.arrayBuffer()));
    if (seconds === undefined) throw new HttpError(415, "unsupported_media_type", "The audio file must be a PCM WAV.");
    if (seconds > limits.maxUtteranceSeconds) {
      throw new HttpError(413, "audio_too_long", `Utterances are limited to ${limits.maxUtteranceSeconds} seconds.`);
    }
    const result = await stt.audio.transcriptions
      .create(
        { file, model: config.model, ...(config.language ? { language: config.language } : {}) },
        { signal: c.req.raw.signal },
      )
      .catch((err: unknown) => {
        throw upstreamError("stt", err);
      });
    return c.json({ text: result.text });
  });
}
