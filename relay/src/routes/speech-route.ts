import type OpenAI from "openai";
import type { Hono } from "hono";
import { PATHS, TTS_SAMPLE_RATE } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { Recorder } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import { SpeechRequestSchema } from "../wire-schemas.ts";
import { stageRoute, type UpstreamStageOptions } from "./upstream-stage.ts";

/** Dependencies of {@link createSpeechRoute}. */
export interface SpeechRouteOptions extends UpstreamStageOptions {
  tts: OpenAI;
  recorder: Recorder;
}

/**
 * `POST /v1/audio/speech`: `{ input }` → the agent's TTS model, voice and speed → the upstream's raw PCM
 * (16-bit little-endian mono at {@link TTS_SAMPLE_RATE} Hz) streamed through as `audio/pcm` unbuffered,
 * with header `x-sample-rate`. Client-sent model, voice, speed and format are ignored. The records count
 * the bytes as they pass.
 */
export function createSpeechRoute(options: SpeechRouteOptions): Hono<RelayEnv> {
  const { tts, recorder } = options;
  return stageRoute(
    { path: PATHS.speech, stage: "tts", record: (scope) => recorder.speech(scope) },
    options,
    async (c, upstream, record) => {
      const { input } = await readJson(c, SpeechRequestSchema);
      const { tts: config } = c.get("agent");
      const answer = await upstream.call((signal) =>
        tts.audio.speech.create(
          { model: config.model, voice: config.voice, input, response_format: "pcm", speed: config.speed },
          { signal },
        ),
      );
      return upstream.bytes(answer, record.observer, {
        "content-type": "audio/pcm",
        "x-sample-rate": String(TTS_SAMPLE_RATE),
        "cache-control": "no-store",
      });
    },
  );
}
