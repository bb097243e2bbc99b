import { Hono } from "hono";
import { byteStream } from "./event-stream.ts";
import { isRecord, readJsonObject } from "./json-body.ts";
import type { RecordedSpeech } from "./recorded-request.ts";
import type { RouteContext } from "./route-context.ts";
import { SPEECH_SAMPLE_RATE, synthesize, synthesizeSentences } from "./speech.ts";
import { StandinError } from "./standin-error.ts";
import { encodeWav, int16ToFloat32 } from "@voice-agent/dsp";

/** Samples per streamed body chunk: 100 ms at 24 kHz. */
const CHUNK_SAMPLES = SPEECH_SAMPLE_RATE / 10;

/** The OpenAI API's input limit, in characters. */
const MAX_INPUT = 4096;

/**
 * `POST /audio/speech` (`{ model, input, voice, response_format, speed }`). Speaks `input` with
 * eSpeak NG and streams it in 100 ms chunks: `pcm` is raw 24 kHz 16-bit little-endian mono
 * (`audio/pcm`), synthesized and sent sentence by sentence so the first audio leaves after the
 * first sentence; `wav` is the same audio synthesized whole, behind a WAV header (`audio/wav`). Without `response_format`
 * (OpenAI's default is mp3, which the stand-in cannot encode) it answers with WAV; other formats
 * are refused with a 400. The first byte leaves `ttsFirstByteMs` after the request arrived (or when
 * eSpeak NG is done, if later); PCM then streams at `ttsPace` × real time.
 */
export function speechRoute(context: RouteContext): Hono {
  return new Hono().post("/audio/speech", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const { model, input } = body;
    const voice = isRecord(body["voice"]) ? body["voice"]["id"] : body["voice"];
    const format = body["response_format"] ?? "wav";
    const speed = body["speed"] ?? 1;
    if (typeof model !== "string" || model === "") throw StandinError.badRequest("missing_model", "Expected a string `model`.", "model");
    if (typeof input !== "string" || input.trim() === "") {
      throw StandinError.badRequest("empty_input", "Expected a non-empty string `input`.", "input");
    }
    if (input.length > MAX_INPUT) throw StandinError.badRequest("input_too_long", `\`input\` is over ${MAX_INPUT} characters.`, "input");
    if (typeof voice !== "string" || voice === "") throw StandinError.badRequest("missing_voice", "Expected a `voice`.", "voice");
    if (format !== "pcm" && format !== "wav") {
      throw StandinError.badRequest("unsupported_response_format", "The stand-in produces only `pcm` and `wav`.", "response_format");
    }
    if (typeof speed !== "number" || !(speed >= 0.25 && speed <= 4)) {
      throw StandinError.badRequest("invalid_speed", "`speed` must be a number from 0.25 to 4.", "speed");
    }
    if (body["stream_format"] !== undefined && body["stream_format"] !== "audio") {
      throw StandinError.badRequest("unsupported_stream_format", "The stand-in streams only raw audio.", "stream_format");
    }
    const entry = context.record<RecordedSpeech>({
      route: "speech",
      time: context.now(),
      model,
      voice,
      input,
      responseFormat: format,
      speed,
      aborted: false,
    });
    const options = { voice, speed };
    // A WAV header states the data length, so WAV is synthesized whole; PCM sentence by sentence.
    const wholeInput = async function* (text: string) {
      yield await synthesize(text, options);
    };
    const key = `${voice}|${speed}|${format}|${input}`;
    let pieces = format === "wav" ? wholeInput(input) : synthesizeSentences(input, options);
    if (context.speechCache) {
      let cached = context.speechCache.get(key);
      if (!cached) {
        cached = [];
        for await (const piece of pieces) cached.push(piece);
        context.speechCache.set(key, cached);
      }
      pieces = replay(cached);
    }
    // Synthesize the first piece before answering so a synthesis failure is a 500, not a cut stream.
    const first = await pieces.next();
    const { delays } = context;
    async function* chunks(signal: AbortSignal) {
      // Chunks are due on the provider's schedule from the request's arrival, however fast the client reads.
      let due = entry.time + delays.firstByte();
      if (format === "wav") {
        await delays.until(due, signal);
        if (!first.done) yield encodeWav(int16ToFloat32(first.value), SPEECH_SAMPLE_RATE);
        return;
      }
      for (let piece = first; !piece.done; piece = await pieces.next()) {
        for (let at = 0; at < piece.value.length; at += CHUNK_SAMPLES) {
          const samples = piece.value.slice(at, at + CHUNK_SAMPLES);
          await delays.until(due, signal);
          // 16-bit little endian: the byte order of every platform Node runs on.
          yield new Uint8Array(samples.buffer);
          due += delays.speech((samples.length / SPEECH_SAMPLE_RATE) * 1000);
        }
      }
    }
    const audio = byteStream(chunks, () => {
      entry.aborted = true;
      void pieces.return(undefined);
    });
    return c.body(audio, 200, { "content-type": format === "pcm" ? "audio/pcm" : "audio/wav" });
  });
}

/** Yields cached pieces again (the cache is never mutated by consumers: chunks are copies). */
async function* replay(pieces: Int16Array[]): AsyncGenerator<Int16Array> {
  yield* pieces;
}
