import { Hono } from "hono";
import type OpenAI from "openai";
import { guardStream } from "../guard-stream.ts";
import { PATHS, TTS_SAMPLE_RATE } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import { type Recorder, recordScope } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import { upstreamError } from "../upstream-error.ts";
import { upstreamStream } from "../upstream-http.ts";
import { SpeechRequestSchema } from "../wire-schemas.ts";

/** Dependencies of {@link createSpeechRoute}. */
export interface SpeechRouteOptions {
  tts: OpenAI;
  recorder: Recorder;
  /** Longest silence (ms) of the upstream between audio chunks. */
  streamIdleMs: number;
  /** Aborted when the relay shuts down. */
  closing: AbortSignal;
}

/**
 * `POST /v1/audio/speech`: `{ input }` → the agent's TTS model, voice and speed → the upstream's raw PCM
 * (16-bit little-endian mono at {@link TTS_SAMPLE_RATE} Hz) streamed through as `audio/pcm` unbuffered,
 * with header `x-sample-rate`. Client-sent model, voice, speed and format are ignored. The records count
 * the bytes as they pass.
 */
export function createSpeechRoute(options: SpeechRouteOptions): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(PATHS.speech, async (c) => {
    const record = options.recorder.speech(recordScope(c));
    try {
      const { input } = await readJson(c, SpeechRequestSchema);
      const { tts: config } = c.get("agent");
      const upstreamAbort = new AbortController();
      const signal = AbortSignal.any([c.req.raw.signal, upstreamAbort.signal, options.closing]);
      const upstream = await options.tts.audio.speech
        .create({ model: config.model, voice: config.voice, input, response_format: "pcm", speed: config.speed }, { signal })
        .catch((err: unknown) => {
          throw upstreamError("tts", err, options.closing);
        });
      const guard = { stage: "tts" as const, idleMs: options.streamIdleMs, closing: options.closing, upstream: upstreamAbort };
      const outgoing = c.env?.outgoing;
      const body = guardStream(upstreamStream(upstream, "tts"), guard, record.observer, outgoing && (() => outgoing.destroy()));
      // Chunked explicitly, so the Node adapter sends the headers at once instead of waiting for body chunks.
      return c.body(body, 200, { "content-type": "audio/pcm", "x-sample-rate": String(TTS_SAMPLE_RATE), "cache-control": "no-store", "transfer-encoding": "chunked" });
    } catch (error) {
      record.failed(error, c.req.raw.signal.aborted);
      throw error;
    }
  });
}
