import { Hono } from "hono";
import { transcriptFor } from "./demo-text.ts";
import { byteStream, sseFrame, wordDeltas } from "./event-stream.ts";
import type { RecordedTranscription } from "./recorded-request.ts";
import type { RouteContext } from "./route-context.ts";
import { StandinError } from "./standin-error.ts";
import { decodeWav, type DecodedWav } from "@voice-agent/dsp";

/**
 * `POST /audio/transcriptions` (multipart `file`, `model`, optional `stream`, `language`,
 * `response_format` of `json` or `text`). The "transcript" states the WAV's duration; with
 * `stream=true` it arrives as `transcript.text.delta` events, one per word, then
 * `transcript.text.done`. The transcript (streamed: its first word) comes `sttBaseMs` +
 * `sttPerAudioSecondMs` per second of audio after the request arrived; streamed words follow
 * `llmPerTokenMs` apart.
 */
export function transcriptionRoute(context: RouteContext): Hono {
  return new Hono().post("/audio/transcriptions", async (c) => {
    const form = await c.req.parseBody();
    const file = form["file"];
    const model = form["model"];
    if (!(file instanceof File)) throw StandinError.badRequest("missing_file", "Expected a `file` field with a WAV upload.", "file");
    if (typeof model !== "string" || model === "") throw StandinError.badRequest("missing_model", "Expected a `model` field.", "model");
    const responseFormat = typeof form["response_format"] === "string" ? form["response_format"] : "json";
    if (responseFormat !== "json" && responseFormat !== "text") {
      throw StandinError.badRequest(
        "unsupported_response_format",
        "The stand-in supports response_format json and text.",
        "response_format",
      );
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const wav = readWav(bytes);
    const durationMs = (wav.samples.length / wav.sampleRate) * 1000;
    const stream = form["stream"] === "true";
    const entry = context.record<RecordedTranscription>({
      route: "transcription",
      time: context.now(),
      model,
      stream,
      language: typeof form["language"] === "string" ? form["language"] : null,
      sampleRate: wav.sampleRate,
      channels: wav.channels,
      bitsPerSample: wav.bitsPerSample,
      durationMs,
      bytes: bytes.length,
      fileName: file.name,
      fileType: file.type,
      ...(stream ? { aborted: false } : {}),
    });
    const text = transcriptFor(durationMs);
    const { delays } = context;
    const ready = entry.time + delays.transcription(durationMs);
    if (!stream) {
      await delays.until(ready, c.req.raw.signal);
      if (responseFormat === "text") return c.text(text);
      return c.json({ text, usage: { type: "duration", seconds: Math.round(durationMs) / 1000 } });
    }
    async function* events(signal: AbortSignal) {
      let due = ready;
      for (const delta of wordDeltas(text)) {
        await delays.until(due, signal);
        yield sseFrame({ type: "transcript.text.delta", delta });
        due += delays.nextToken();
      }
      await delays.until(due, signal);
      yield sseFrame({ type: "transcript.text.done", text });
    }
    const body = byteStream(events, () => (entry.aborted = true));
    return c.body(body, 200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  });
}

function readWav(bytes: Uint8Array): DecodedWav {
  try {
    return decodeWav(bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new StandinError(400, "invalid_wav", `The stand-in only understands WAV files: ${why}.`, { param: "file" });
  }
}
