import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type OpenAI from "openai";
import { HttpError } from "../http-error.ts";
import type { RelayEnv } from "../relay-env.ts";
import { upstreamError } from "../upstream-error.ts";

/** Largest accepted upload (bytes): 5 MB is over two minutes of 16 kHz 16-bit mono WAV. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/**
 * `POST /v1/audio/transcriptions`: multipart with a `file` (the utterance WAV) → the agent's STT model
 * → `{ text }`. Client-sent `model`, `prompt` and other fields are ignored.
 */
export function createTranscriptionsRoute(stt: OpenAI): Hono<RelayEnv> {
  const limit = bodyLimit({
    maxSize: MAX_UPLOAD_BYTES,
    onError: () => {
      throw new HttpError(413, "payload_too_large", `Uploads are limited to ${MAX_UPLOAD_BYTES} bytes.`);
    },
  });
  return new Hono<RelayEnv>().post("/v1/audio/transcriptions", limit, async (c) => {
    if (!/^multipart\/form-data\b/i.test(c.req.header("content-type") ?? "")) {
      throw new HttpError(415, "unsupported_media_type", "Expected multipart/form-data with a file field.");
    }
    let file: unknown;
    try {
      file = (await c.req.formData()).get("file");
    } catch {
      throw new HttpError(400, "bad_request", "The multipart body could not be parsed.");
    }
    if (!(file instanceof File) || file.size === 0) {
      throw new HttpError(400, "bad_request", "Missing the audio file: send it as the multipart field \"file\".");
    }
    const { stt: config } = c.get("agent");
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
