/**
 * One call on the stand-in's realtime WebSocket, speaking OpenAI's Realtime (GA) event protocol: audio in
 * (`input_audio_buffer.append` of 24 kHz PCM16, committed by the client or by its energy VAD when
 * `turn_detection` is `server_vad`), a transcript of the stand-in's kind, and replies spoken by eSpeak NG
 * as `response.output_audio.delta` with their transcript deltas. Honours `response.cancel` and
 * `conversation.item.truncate`, and records what it received for tests.
 */
import { chatReplyFor, transcriptFor } from "./demo-text.ts";
import type { RecordedMessage, RecordedRealtimeCall } from "./recorded-request.ts";
import { SPEECH_SAMPLE_RATE } from "./speech.ts";

/** Audio per `response.output_audio.delta`, ms. */
const DELTA_MS = 100;
/** Energy VAD: a 20 ms chunk louder than this RMS (of full scale) is speech. */
const SPEECH_RMS = 0.01;

type Event = Record<string, unknown> & { type?: unknown };

/** Speaks `text` in `voice` (24 kHz PCM16). */
export type Speak = (text: string, voice: string | undefined) => Promise<Int16Array>;

export class RealtimeCall {
  readonly #send: (event: Event) => void;
  readonly #speak: Speak;
  readonly #record: RecordedRealtimeCall;
  readonly #session: Record<string, unknown>;
  readonly #items: { id: string; message: RecordedMessage }[] = [];
  #buffer: Int16Array[] = [];
  #speaking = false;
  #silentMs = 0;
  #response: AbortController | undefined;
  #ids = 0;

  constructor(model: string, send: (event: Event) => void, speak: Speak, record: RecordedRealtimeCall) {
    this.#send = send;
    this.#speak = speak;
    this.#record = record;
    this.#session = {
      type: "realtime",
      model,
      instructions: "",
      audio: {
        input: {
          format: { type: "audio/pcm", rate: SPEECH_SAMPLE_RATE },
          turn_detection: { type: "server_vad", silence_duration_ms: 500 },
        },
        output: { format: { type: "audio/pcm", rate: SPEECH_SAMPLE_RATE }, voice: "alloy" },
      },
    };
    this.#emit({ type: "session.created", session: this.#session });
  }

  /** Handles one client event (already parsed JSON). */
  receive(event: Event): void {
    this.#record.events.push(String(event.type));
    switch (event.type) {
      case "session.update":
        Object.assign(this.#session, event.session as object);
        this.#record.session = structuredClone(this.#session);
        return this.#emit({ type: "session.updated", session: this.#session });
      case "input_audio_buffer.append":
        return this.#append(Buffer.from(String(event.audio ?? ""), "base64"));
      case "input_audio_buffer.commit":
        return this.#commit(false);
      case "input_audio_buffer.clear":
        this.#buffer = [];
        return this.#emit({ type: "input_audio_buffer.cleared" });
      case "conversation.item.create":
        return void this.#addItem(event.item as { role?: string; content?: unknown });
      case "conversation.item.truncate":
        this.#record.truncations.push({ itemId: String(event.item_id), audioEndMs: Number(event.audio_end_ms) });
        return this.#emit({
          type: "conversation.item.truncated",
          item_id: event.item_id,
          audio_end_ms: event.audio_end_ms,
          content_index: 0,
        });
      case "response.create":
        return void this.#respond();
      case "response.cancel":
        return this.#response?.abort();
      default:
        return this.#error("unknown_event", `The stand-in does not handle ${JSON.stringify(event.type)}.`);
    }
  }

  /** The socket closed: stops the reply in progress. */
  close(): void {
    this.#response?.abort();
  }

  #append(bytes: Buffer): void {
    const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1)));
    this.#buffer.push(pcm);
    const detection = (this.#session.audio as { input?: { turn_detection?: { type?: string; silence_duration_ms?: number } | null } }).input
      ?.turn_detection;
    if (detection?.type !== "server_vad") return;
    const chunk = (SPEECH_SAMPLE_RATE / 1000) * 20;
    for (let at = 0; at + chunk <= pcm.length; at += chunk) {
      let sum = 0;
      for (let i = at; i < at + chunk; i++) sum += (pcm[i]! / 32768) ** 2;
      const loud = Math.sqrt(sum / chunk) > SPEECH_RMS;
      if (loud && !this.#speaking) {
        this.#speaking = true;
        this.#response?.abort();
        this.#emit({ type: "input_audio_buffer.speech_started", audio_start_ms: this.#bufferedMs() });
      }
      this.#silentMs = loud ? 0 : this.#silentMs + 20;
      if (this.#speaking && this.#silentMs >= (detection.silence_duration_ms ?? 500)) {
        this.#speaking = false;
        this.#emit({ type: "input_audio_buffer.speech_stopped", audio_end_ms: this.#bufferedMs() });
        this.#commit(true);
      }
    }
  }

  #commit(respond: boolean): void {
    const ms = this.#bufferedMs();
    this.#buffer = [];
    if (ms === 0) return this.#error("input_audio_buffer_commit_empty", "The input audio buffer is empty.");
    const transcript = transcriptFor(ms);
    const item = this.#addItem({ role: "user", content: [{ type: "input_audio", transcript }] }, "input_audio_buffer.committed");
    this.#emit({ type: "conversation.item.input_audio_transcription.completed", item_id: item.id, content_index: 0, transcript });
    if (respond) void this.#respond();
  }

  #addItem(item: { role?: string; content?: unknown }, committed?: string): { id: string } {
    const id = `item_${++this.#ids}`;
    const content = Array.isArray(item.content)
      ? item.content.map((part: { text?: string; transcript?: string }) => ({ text: part.text ?? part.transcript ?? "" }))
      : [];
    this.#items.push({ id, message: { role: item.role ?? "user", content } });
    if (committed) this.#emit({ type: committed, item_id: id });
    this.#emit({ type: "conversation.item.added", item: { id, type: "message", ...item } });
    return { id };
  }

  /** Speaks the reply to the conversation so far, unless cancelled (then `response.done` says so). */
  async #respond(): Promise<void> {
    this.#response?.abort();
    const abort = (this.#response = new AbortController());
    const responseId = `resp_${++this.#ids}`;
    const itemId = `item_${++this.#ids}`;
    const text = chatReplyFor(this.#items.map((item) => item.message));
    const ids = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    this.#emit({ type: "response.created", response: { id: responseId, status: "in_progress" } });
    this.#emit({ type: "response.output_item.added", response_id: responseId, item: { id: itemId, type: "message", role: "assistant" } });
    const voice = (this.#session.audio as { output?: { voice?: string } }).output?.voice;
    // Spoken sentence by sentence (the next one synthesized while the current one is sent), each sentence's
    // words as transcript deltas when its audio starts, as a provider streams them.
    const sentences = text.split(/(?<=[.!?;:…])\s+/);
    const step = (SPEECH_SAMPLE_RATE / 1000) * DELTA_MS;
    let next = this.#speak(sentences[0]!, voice);
    for (let i = 0; i < sentences.length && !abort.signal.aborted; i++) {
      const pcm = await next;
      if (i + 1 < sentences.length) next = this.#speak(sentences[i + 1]!, voice);
      for (const word of `${i ? " " : ""}${sentences[i]}`.split(/(?<= )/))
        this.#emit({ type: "response.output_audio_transcript.delta", ...ids, delta: word });
      for (let at = 0; at < pcm.length && !abort.signal.aborted; at += step) {
        const chunk = pcm.subarray(at, at + step);
        this.#emit({
          type: "response.output_audio.delta",
          ...ids,
          delta: Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("base64"),
        });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const words = text.split(" ");
    const status = abort.signal.aborted ? "cancelled" : "completed";
    if (status === "completed") {
      this.#emit({ type: "response.output_audio.done", ...ids });
      this.#emit({ type: "response.output_audio_transcript.done", ...ids, transcript: text });
      this.#items.push({ id: itemId, message: { role: "assistant", content: text } });
    }
    this.#emit({
      type: "response.done",
      response: { id: responseId, status, usage: { input_tokens: this.#items.length * 10, output_tokens: words.length } },
    });
    if (this.#response === abort) this.#response = undefined;
  }

  #bufferedMs(): number {
    return Math.round((this.#buffer.reduce((n, pcm) => n + pcm.length, 0) / SPEECH_SAMPLE_RATE) * 1000);
  }

  #error(code: string, message: string): void {
    this.#emit({ type: "error", error: { type: "invalid_request_error", code, message } });
  }

  #emit(event: Event): void {
    this.#send({ event_id: `event_${++this.#ids}`, ...event });
  }
}
