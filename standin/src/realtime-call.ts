/**
 * One call on the stand-in's realtime WebSocket, speaking OpenAI's Realtime (GA) event protocol: audio in
 * (`input_audio_buffer.append` of 24 kHz PCM16, committed by the client or by its energy VAD when
 * `turn_detection` is `server_vad`), a transcript of the stand-in's kind, and replies spoken by eSpeak NG
 * as `response.output_audio.delta` with their transcript deltas. Tools by the chat route's rule
 * ({@link toolCallFor}): when the session offers function tools and the last item is a user message naming
 * one, the response is a call of it (a `function_call` item, arguments `{}` in two deltas); after a
 * `function_call_output` item the reply quotes it ({@link toolResultReply}). Honours `response.cancel` and
 * `conversation.item.truncate`, takes one fault armed for `realtime-call` per response, and records what
 * it received for tests. The transport is the caller's: the WebSocket (`realtime-socket.ts`) or a WebRTC call
 * (`webrtc-call.ts`, which feeds {@link RealtimeCall.appendAudio} from the track and plays the audio deltas).
 */
import { chatReplyFor, toolCallFor, toolResultReply, transcriptFor } from "./demo-text.ts";
import type { Fault } from "./fault-injector.ts";
import { isRecord } from "./json-body.ts";
import type { RecordedMessage, RecordedRealtimeCall } from "./recorded-request.ts";
import { SPEECH_SAMPLE_RATE } from "./speech.ts";

/** Audio per `response.output_audio.delta`, ms. */
const DELTA_MS = 100;
/** Energy VAD: a 20 ms chunk louder than this RMS (of full scale) is speech. */
const SPEECH_RMS = 0.01;

type Event = Record<string, unknown> & { type?: unknown };

/** A conversation item as a client creates it (only the fields the stand-in reads). */
interface Item {
  id?: unknown;
  type?: string;
  role?: string;
  content?: unknown;
  call_id?: string;
  output?: unknown;
}

/** Speaks `text` in `voice` (24 kHz PCM16). */
export type Speak = (text: string, voice: string | undefined, speed?: number) => Promise<Int16Array>;

export interface RealtimeCallOptions {
  model: string;
  /** Sends one server event. */
  send: (event: Event) => void;
  /** Closes the socket at once, without a close frame (the `drop` fault). */
  drop: () => void;
  speak: Speak;
  record: RecordedRealtimeCall;
  /** Takes the next fault armed for a realtime response, if any. */
  fault: () => Fault | undefined;
  /** Session fields applied as if by `session.update` before `session.created` (a WebRTC call's `session`). */
  session?: Record<string, unknown>;
}

/** One response in progress: its ids, its fault (`stall` or `drop`) and the deltas it has sent. */
interface Run {
  responseId: string;
  itemId: string;
  abort: AbortController;
  fault: Fault | undefined;
  deltas: number;
}

export class RealtimeCall {
  readonly #o: RealtimeCallOptions;
  readonly #session: Record<string, unknown>;
  readonly #items: { id: string; message: RecordedMessage }[] = [];
  #buffer: Int16Array[] = [];
  #speaking = false;
  #silentMs = 0;
  #response: AbortController | undefined;
  #closed = false;
  #ids = 0;

  constructor(options: RealtimeCallOptions) {
    this.#o = options;
    this.#session = {
      type: "realtime",
      model: options.model,
      instructions: "",
      audio: {
        input: {
          format: { type: "audio/pcm", rate: SPEECH_SAMPLE_RATE },
          turn_detection: { type: "server_vad", silence_duration_ms: 500 },
        },
        output: { format: { type: "audio/pcm", rate: SPEECH_SAMPLE_RATE }, voice: "alloy" },
      },
    };
    if (options.session) {
      Object.assign(this.#session, options.session);
      options.record.session = structuredClone(this.#session);
    }
    this.#emit({ type: "session.created", session: this.#session });
  }

  /** Handles one client event (already parsed JSON). */
  receive(event: Event): void {
    const record = this.#o.record;
    record.events.push(String(event.type));
    switch (event.type) {
      case "session.update":
        Object.assign(this.#session, event.session as object);
        record.session = structuredClone(this.#session);
        return this.#emit({ type: "session.updated", session: this.#session });
      case "input_audio_buffer.append": {
        const bytes = Buffer.from(String(event.audio ?? ""), "base64");
        return this.appendAudio(new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1))));
      }
      case "input_audio_buffer.commit":
        return this.#commit(false);
      case "input_audio_buffer.clear":
        this.#buffer = [];
        return this.#emit({ type: "input_audio_buffer.cleared" });
      case "conversation.item.create": {
        const item = (isRecord(event.item) ? event.item : {}) as Item;
        if (item.type === "function_call_output")
          record.toolOutputs.push({ callId: String(item.call_id), output: String(item.output ?? "") });
        return void this.#addItem(item);
      }
      case "conversation.item.truncate":
        record.truncations.push({ itemId: String(event.item_id), audioEndMs: Number(event.audio_end_ms) });
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

  /** The socket closed: stops the reply in progress, and sends nothing more. */
  close(): void {
    this.#closed = true;
    this.#response?.abort();
  }

  /**
   * Adds caller audio (24 kHz PCM16) to the input buffer and runs the server VAD over it: what
   * `input_audio_buffer.append` carries on the WebSocket, and a WebRTC call's decoded microphone track.
   */
  appendAudio(pcm: Int16Array): void {
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

  #addItem(item: Item, committed?: string): { id: string } {
    // A client may name its item (OpenAI keeps the id it gives).
    const id = typeof item.id === "string" && item.id ? item.id : `item_${++this.#ids}`;
    this.#items.push({ id, message: messageOf(item) });
    if (committed) this.#emit({ type: committed, item_id: id });
    this.#emit({ type: "conversation.item.added", item: { id, type: "message", ...item } });
    return { id };
  }

  /**
   * Answers the conversation so far, as the chat route would: a tool call, a quote of a tool's result or
   * the demo reply; an armed `error` fault fails it instead. `response.done` says how it ended.
   */
  async #respond(): Promise<void> {
    this.#response?.abort();
    const abort = (this.#response = new AbortController());
    const fault = this.#o.fault();
    const run: Run = {
      responseId: `resp_${++this.#ids}`,
      itemId: `item_${++this.#ids}`,
      abort,
      fault: fault?.kind === "error" ? undefined : fault,
      deltas: 0,
    };
    const messages = this.#items.map((item) => item.message);
    const toolName = toolCallFor(messages, this.#toolNames());
    this.#emit({ type: "response.created", response: { id: run.responseId, status: "in_progress" } });
    if (fault?.kind === "error") {
      const code = "injected_fault";
      this.#error(code, "Injected server error on realtime-call (POST /__standin/faults).", "server_error");
      this.#done(run, "failed", [], 0, { type: "failed", error: { type: "server_error", code } });
    } else if (toolName) await this.#callTool(run, toolName);
    else await this.#speakReply(run, toolResultReply(messages) ?? chatReplyFor(messages));
    if (this.#response === abort) this.#response = undefined;
  }

  /** A call of the tool `name` with arguments `{}`, in two deltas as the chat route streams it. */
  async #callTool(run: Run, name: string): Promise<void> {
    const callId = `call_standin_${++this.#ids}`;
    const { responseId, itemId } = run;
    const item = {
      id: itemId,
      object: "realtime.item",
      type: "function_call",
      status: "in_progress",
      name,
      call_id: callId,
      arguments: "",
    };
    const ids = { response_id: responseId, item_id: itemId, output_index: 0, call_id: callId };
    this.#emit({ type: "response.output_item.added", response_id: responseId, output_index: 0, item });
    for (const delta of ["{", "}"])
      if (!(await this.#delta(run, { type: "response.function_call_arguments.delta", ...ids, delta })))
        return this.#done(run, "cancelled", []);
    const done = { ...item, status: "completed", arguments: "{}" };
    this.#emit({ type: "response.function_call_arguments.done", ...ids, name, arguments: done.arguments });
    this.#emit({ type: "response.output_item.done", response_id: responseId, output_index: 0, item: done });
    this.#items.push({ id: itemId, message: { role: "assistant", content: null } });
    this.#done(run, "completed", [done]);
  }

  /** Speaks `text`, unless cancelled (then `response.done` says so). */
  async #speakReply(run: Run, text: string): Promise<void> {
    const { responseId, itemId, abort } = run;
    const ids = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    this.#emit({ type: "response.output_item.added", response_id: responseId, item: { id: itemId, type: "message", role: "assistant" } });
    const { voice, speed } = (this.#session.audio as { output?: { voice?: string; speed?: number } }).output ?? {};
    // Spoken sentence by sentence (the next one synthesized while the current one is sent), each sentence's
    // words as transcript deltas when its audio starts, as a provider streams them.
    const sentences = text.split(/(?<=[.!?;:…])\s+/);
    const step = (SPEECH_SAMPLE_RATE / 1000) * DELTA_MS;
    let next = this.#o.speak(sentences[0]!, voice, speed);
    for (let i = 0; i < sentences.length && !abort.signal.aborted; i++) {
      const pcm = await next;
      if (i + 1 < sentences.length) next = this.#o.speak(sentences[i + 1]!, voice, speed);
      for (const word of `${i ? " " : ""}${sentences[i]}`.split(/(?<= )/))
        this.#emit({ type: "response.output_audio_transcript.delta", ...ids, delta: word });
      for (let at = 0; at < pcm.length && !abort.signal.aborted; at += step) {
        const chunk = pcm.subarray(at, at + step);
        const delta = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("base64");
        if (!(await this.#delta(run, { type: "response.output_audio.delta", ...ids, delta }))) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (abort.signal.aborted) return this.#done(run, "cancelled", []);
    this.#emit({ type: "response.output_audio.done", ...ids });
    this.#emit({ type: "response.output_audio_transcript.done", ...ids, transcript: text });
    this.#items.push({ id: itemId, message: { role: "assistant", content: text } });
    const item = {
      id: itemId,
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_audio", transcript: text }],
    };
    this.#done(run, "completed", [item], text.split(" ").length);
  }

  /**
   * Sends a delta of the response; false, sending nothing, once it is cancelled or its fault hits: at the
   * fault's `afterChunks`-th delta a `stall` waits for the response to be cancelled, a `drop` drops the socket.
   */
  async #delta(run: Run, event: Event): Promise<boolean> {
    const { fault, abort } = run;
    if (fault && run.deltas++ === fault.afterChunks) {
      if (fault.kind === "drop") {
        this.#o.drop();
        this.close();
      } else if (!abort.signal.aborted) await new Promise((resolve) => abort.signal.addEventListener("abort", resolve, { once: true }));
    }
    if (abort.signal.aborted) return false;
    this.#emit(event);
    return true;
  }

  #done(run: Run, status: string, output: object[], outputTokens = 0, statusDetails?: object): void {
    this.#emit({
      type: "response.done",
      response: {
        id: run.responseId,
        status,
        ...(statusDetails ? { status_details: statusDetails } : {}),
        output,
        usage: { input_tokens: this.#items.length * 10, output_tokens: outputTokens },
      },
    });
  }

  /** The names of the session's function tools (`{ type: "function", name, … }`). */
  #toolNames(): string[] {
    const tools = this.#session.tools;
    if (!Array.isArray(tools)) return [];
    return tools.flatMap((tool: unknown) =>
      isRecord(tool) && tool.type === "function" && typeof tool.name === "string" ? [tool.name] : [],
    );
  }

  #bufferedMs(): number {
    return Math.round((this.#buffer.reduce((n, pcm) => n + pcm.length, 0) / SPEECH_SAMPLE_RATE) * 1000);
  }

  #error(code: string, message: string, type = "invalid_request_error"): void {
    this.#emit({ type: "error", error: { type, code, message } });
  }

  #emit(event: Event): void {
    if (!this.#closed) this.#o.send({ event_id: `event_${++this.#ids}`, ...event });
  }
}

/** An item as a chat message, for the chat route's rules: a tool's result is a `tool` message, a call the assistant's. */
function messageOf(item: Item): RecordedMessage {
  if (item.type === "function_call_output") return { role: "tool", content: String(item.output ?? "") };
  if (item.type === "function_call") return { role: "assistant", content: null };
  const content = Array.isArray(item.content)
    ? item.content.map((part: { text?: string; transcript?: string }) => ({ text: part.text ?? part.transcript ?? "" }))
    : [];
  return { role: item.role ?? "user", content };
}
