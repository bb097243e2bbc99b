import { Hono } from "hono";
import type OpenAI from "openai";
import { z } from "zod";
import { HttpError } from "../http-error.ts";
import { TTS_SAMPLE_RATE } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { RelayEnv } from "../relay-env.ts";
import { upstreamError } from "../upstream-error.ts";

const SpeechRequestSchema = z.object({ input: z.string().min(1).max(4096) });

/**
 * `POST /v1/audio/speech`: `{ input }` → the agent's TTS model and voice → the upstream's raw PCM
 * (16-bit little-endian mono at {@link TTS_SAMPLE_RATE} Hz) streamed through as `audio/pcm` unbuffered,
 * with header `x-sample-rate`.
 */
export function createSpeechRoute(tts: OpenAI): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post("/v1/audio/speech", async (c) => {
    const { input } = await readJson(c, SpeechRequestSchema);
    const { tts: config } = c.get("agent");
    const upstream = await tts.audio.speech
      .create(
        { model: config.model, voice: config.voice, input, response_format: "pcm", speed: config.speed },
        { signal: c.req.raw.signal },
      )
      .catch((err: unknown) => {
        throw upstreamError("tts", err);
      });
    if (!upstream.body) throw new HttpError(502, "upstream_error", "The tts upstream answered without a body.");
    c.header("content-type", "audio/pcm");
    c.header("x-sample-rate", String(TTS_SAMPLE_RATE));
    c.header("cache-control", "no-store");
    return c.body(upstream.body, 200);
  });
}
