/** The widget's client of the relay: sessions, the three OpenAI-compatible stages, and "forget me". */
import type { CreateSessionRequest, CreateSessionResponse, ErrorBody, RefreshSessionResponse, SessionReport, SessionReportRequest } from "@voice-agent/relay/protocol";
import { PATHS, RECORD_ID_HEADER, TURN_ID_HEADER } from "@voice-agent/relay/protocol";
import { ChatChunkReader, type ChatChunk } from "./chat-chunks.ts";
import type { ChatDelta, Transcript, Transport, TurnRequest } from "./conversation/transport.ts";
import type { WireMessage } from "./conversation/wire.ts";
import { readSse } from "./sse.ts";
import { relayErrorHandling } from "./relay-error-codes.ts";
import { WidgetError } from "./widget-error.ts";

/** Talks to one relay with the token of the newest session it opened. */
export class RelayClient implements Transport {
  readonly relayUrl: string;
  onTokenExpired: (() => Promise<unknown>) | undefined;
  #token = "";

  /** `relayUrl` is the relay's absolute base URL, e.g. `https://relay.example.com`. */
  constructor(relayUrl: string) {
    this.relayUrl = relayUrl.replace(/\/+$/, "");
  }

  async openSession(request: CreateSessionRequest): Promise<CreateSessionResponse> {
    const response = await this.#fetch("POST", PATHS.sessions, JSON.stringify(request), "application/json");
    const session = (await response.json()) as CreateSessionResponse;
    this.#token = session.token;
    return session;
  }

  async refreshSession(): Promise<RefreshSessionResponse> {
    const response = await this.#fetch("POST", PATHS.sessionRefresh);
    const session = (await response.json()) as RefreshSessionResponse;
    this.#token = session.token;
    return session;
  }

  async transcribe(wav: Uint8Array, turn: TurnRequest, onDelta?: (text: string) => void, language?: string): Promise<Transcript> {
    const { signal } = turn;
    const form = new FormData();
    form.append("file", new Blob([wav as Uint8Array<ArrayBuffer>], { type: "audio/wav" }), "utterance.wav");
    form.append("stream", "true");
    if (language) form.append("language", language);
    const response = await this.#fetch("POST", PATHS.transcriptions, form, undefined, turn);
    if (!response.headers.get("content-type")?.includes("text/event-stream")) return (await response.json()) as Transcript;
    // OpenAI's streamed transcription: `transcript.text.delta` events, then `transcript.text.done`.
    let text = "";
    for await (const data of this.#events(response, signal)) {
      if (data === "[DONE]") break;
      const event = JSON.parse(data) as { type?: string; delta?: string; text?: string } & Partial<ErrorBody>;
      if (event.error) throw new WidgetError(relayErrorHandling(event.error.code, 502).code, event.error.message, undefined, { relayCode: event.error.code });
      if (event.type === "transcript.text.delta" && event.delta) onDelta?.((text += event.delta));
      if (event.type === "transcript.text.done") return { text: event.text ?? text };
    }
    return { text };
  }

  async *chat(messages: WireMessage[], turn: TurnRequest): AsyncGenerator<ChatDelta> {
    const { signal } = turn;
    const body = JSON.stringify({ messages, stream: true });
    const response = await this.#fetch("POST", PATHS.chatCompletions, body, "application/json", turn);
    const reader = new ChatChunkReader();
    const recordId = response.headers.get(RECORD_ID_HEADER);
    if (recordId) yield { type: "record", id: recordId };
    for await (const data of this.#events(response, signal)) {
      if (data === "[DONE]") break;
      const chunk = JSON.parse(data) as ChatChunk & Partial<ErrorBody>;
      if (chunk.error) throw new WidgetError(relayErrorHandling(chunk.error.code, 502).code, chunk.error.message, undefined, { relayCode: chunk.error.code });
      yield* reader.push(chunk);
    }
    yield* reader.end();
  }

  async *speech(text: string, turn: TurnRequest): AsyncGenerator<Int16Array> {
    const { signal } = turn;
    const response = await this.#fetch("POST", PATHS.speech, JSON.stringify({ input: text }), "application/json", turn);
    const reader = response.body!.getReader();
    let carry: number | undefined;
    for (;;) {
      const { value, done } = await reader.read().catch((error: unknown) => this.#broken(error, signal));
      if (done) return;
      let bytes = value;
      if (carry !== undefined) {
        bytes = new Uint8Array(value.length + 1);
        bytes[0] = carry;
        bytes.set(value, 1);
        carry = undefined;
      }
      if (bytes.length % 2) carry = bytes[bytes.length - 1];
      const whole = bytes.length - (bytes.length % 2);
      if (whole > 0) yield new Int16Array(bytes.slice(0, whole).buffer);
    }
  }

  async report(reports: SessionReport[], options: { keepalive?: boolean } = {}): Promise<void> {
    const body: SessionReportRequest = { reports, sentAt: Date.now() };
    await this.#fetch("POST", PATHS.sessionEvents, JSON.stringify(body), "application/json", undefined, options.keepalive);
  }

  async forgetVisitor(): Promise<void> {
    try {
      await this.#fetch("DELETE", PATHS.forgetVisitor);
    } catch (error) {
      // A relay from before "forget me" has no such route: it holds nothing to delete.
      if (!(error instanceof NotFound)) throw error;
    }
  }

  /** The SSE payloads of `response`; a connection that breaks mid-stream is `relay-unreachable`. */
  async *#events(response: Response, signal: AbortSignal): AsyncGenerator<string> {
    try {
      yield* readSse(response.body!);
    } catch (error) {
      this.#broken(error, signal);
    }
  }

  /** Rethrows an abort as is; anything else that broke a response body means the relay went away. */
  #broken(error: unknown, signal: AbortSignal): never {
    if (signal.aborted || error instanceof WidgetError) throw error;
    throw new WidgetError("relay-unreachable", `The connection to the relay at ${this.relayUrl} broke mid-stream.`, error);
  }

  async #fetch(method: string, path: string, body?: BodyInit, contentType?: string, turn?: TurnRequest, keepalive = false): Promise<Response> {
    try {
      return await this.#fetchOnce(method, path, body, contentType, turn, keepalive);
    } catch (error) {
      // An expired token: renew the session (the owner's hook) and send the request once more. Not for
      // reports: a renewal can open a new session, and they belong to the one they were made in.
      const renewable = path !== PATHS.sessions && path !== PATHS.sessionRefresh && path !== PATHS.sessionEvents && this.onTokenExpired;
      if (!renewable || !(error instanceof WidgetError) || relayErrorHandling(error.relayCode).action !== "renew") throw error;
      await renewable();
      return this.#fetchOnce(method, path, body, contentType, turn, keepalive);
    }
  }

  async #fetchOnce(method: string, path: string, body?: BodyInit, contentType?: string, turn?: TurnRequest, keepalive = false): Promise<Response> {
    const signal = turn?.signal;
    const headers: Record<string, string> = {};
    if (contentType) headers["content-type"] = contentType;
    if (turn) headers[TURN_ID_HEADER] = turn.turnId;
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await fetch(this.relayUrl + path, { method, body: body ?? null, headers, signal: signal ?? null, ...(keepalive ? { keepalive } : {}) });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new WidgetError("relay-unreachable", `The relay at ${this.relayUrl} cannot be reached.`, cause);
    }
    if (response.ok) return response;
    if (response.status === 404 && method === "DELETE") throw new NotFound();
    const error = ((await response.json().catch(() => ({}))) as Partial<ErrorBody>).error;
    const { code } = relayErrorHandling(error?.code, response.status);
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new WidgetError(code, error?.message ?? `The relay answered HTTP ${response.status}.`, undefined, {
      retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined,
      relayCode: error?.code,
    });
  }
}

/** A 404 answer to a DELETE (told apart from other failures by `forgetVisitor`). */
class NotFound extends Error {}
