/** The widget's client of the relay: sessions, the three OpenAI-compatible stages, and "forget me". */
import type {
  CreateSessionRequest,
  CreateSessionResponse,
  ErrorBody,
  RealtimeClientSecret,
  RefreshSessionResponse,
  SessionReport,
  SessionReportRequest,
} from "@voice-agent/relay/protocol";
import { PATHS, RECORD_ID_HEADER, TURN_ID_HEADER } from "@voice-agent/relay/protocol";
import { ChatChunkReader, type ChatChunk } from "./chat-chunks.ts";
import type {
  ChatDelta,
  RealtimeChannel,
  RealtimeHandlers,
  RealtimeMediaChannel,
  SpeechRequest,
  Transcript,
  Transport,
  TurnRequest,
} from "./conversation/transport.ts";
import type { WireMessage } from "./conversation/wire.ts";
import { openRealtimeSocket } from "./realtime-socket.ts";
import { readSse } from "./sse.ts";
import { relayErrorHandling, renewsToken } from "./relay-error-codes.ts";
import { brokenStream, readPcm16, relayFetch, relayHttpError } from "./relay-fetch.ts";
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
    if (turn.speculative) form.append("speculative", "true");
    const response = await this.#fetch("POST", PATHS.transcriptions, form, undefined, turn);
    if (!response.headers.get("content-type")?.includes("text/event-stream")) return (await response.json()) as Transcript;
    // OpenAI's streamed transcription: `transcript.text.delta` events, then `transcript.text.done`.
    let text = "";
    for await (const data of this.#events(response, signal)) {
      if (data === "[DONE]") break;
      const event = JSON.parse(data) as { type?: string; delta?: string; text?: string } & Partial<ErrorBody>;
      if (event.error)
        throw new WidgetError(relayErrorHandling(event.error.code, 502).code, event.error.message, undefined, {
          relayCode: event.error.code,
        });
      if (event.type === "transcript.text.delta" && event.delta) onDelta?.((text += event.delta));
      if (event.type === "transcript.text.done") return { text: event.text ?? text };
    }
    return { text };
  }

  async *chat(messages: WireMessage[], turn: TurnRequest): AsyncGenerator<ChatDelta> {
    const { signal } = turn;
    const body = JSON.stringify({ messages, stream: true, ...(turn.speculative ? { speculative: true } : {}) });
    const response = await this.#fetch("POST", PATHS.chatCompletions, body, "application/json", turn);
    const reader = new ChatChunkReader();
    const recordId = response.headers.get(RECORD_ID_HEADER);
    if (recordId) yield { type: "record", id: recordId };
    for await (const data of this.#events(response, signal)) {
      if (data === "[DONE]") break;
      const chunk = JSON.parse(data) as ChatChunk & Partial<ErrorBody>;
      if (chunk.error)
        throw new WidgetError(relayErrorHandling(chunk.error.code, 502).code, chunk.error.message, undefined, {
          relayCode: chunk.error.code,
        });
      yield* reader.push(chunk);
    }
    yield* reader.end();
  }

  async *speech(text: string, turn: TurnRequest): AsyncGenerator<Int16Array> {
    const response = await this.#fetch("POST", PATHS.speech, speechBody(text), "application/json", turn);
    try {
      yield* readPcm16(response.body!);
    } catch (error) {
      throw brokenStream(this.relayUrl, error, turn.signal);
    }
  }

  /** The speech request of `text` with the current token, for the audio loop to fetch and play (see {@link Transport.speechRequest}). */
  speechRequest(text: string, turnId: string): SpeechRequest {
    return { url: this.relayUrl + PATHS.speech, headers: this.#headers("application/json", turnId), body: speechBody(text) };
  }

  openRealtime(handlers: RealtimeHandlers): Promise<RealtimeChannel> {
    return openRealtimeSocket(this.relayUrl, this.#token, handlers);
  }

  /** The WebRTC call's code is loaded on first use: pages on the WebSocket never fetch it. */
  async openRealtimeCall(
    handlers: RealtimeHandlers,
    microphone: MediaStreamTrack | undefined,
    start: "relay" | "direct",
  ): Promise<RealtimeMediaChannel> {
    const { openRealtimeWebRtc, offerToProvider } = await import("./realtime-webrtc.ts");
    return openRealtimeWebRtc(this.relayUrl, handlers, microphone, async (sdp) => {
      if (start === "relay") return (await this.#fetch("POST", PATHS.realtimeCalls, sdp, "application/sdp")).text();
      const key = (await (await this.#fetch("POST", PATHS.realtimeClientSecrets)).json()) as RealtimeClientSecret;
      return offerToProvider(sdp, key);
    });
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
      throw brokenStream(this.relayUrl, error, signal);
    }
  }

  async #fetch(...request: RelayRequest): Promise<Response> {
    try {
      return await this.#fetchOnce(...request);
    } catch (error) {
      const path = request[1];
      // An expired token: renew the session (the owner's hook) and send the request once more. Not for
      // reports: a renewal can open a new session, and they belong to the one they were made in.
      const renewable = path !== PATHS.sessions && path !== PATHS.sessionRefresh && path !== PATHS.sessionEvents && this.onTokenExpired;
      if (!renewable || !renewsToken(error)) throw error;
      await renewable();
      return this.#fetchOnce(...request);
    }
  }

  async #fetchOnce(...[method, path, body, contentType, turn, keepalive = false]: RelayRequest): Promise<Response> {
    const signal = turn?.signal ?? null;
    const init = {
      method,
      body: body ?? null,
      headers: this.#headers(contentType, turn?.turnId),
      signal,
      ...(keepalive ? { keepalive } : {}),
    };
    const response = await relayFetch(this.relayUrl, this.relayUrl + path, init);
    if (response.ok) return response;
    if (response.status === 404 && method === "DELETE") throw new NotFound();
    throw await relayHttpError(response);
  }

  #headers(contentType: string | undefined, turnId: string | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    if (contentType) headers["content-type"] = contentType;
    if (turnId) headers[TURN_ID_HEADER] = turnId;
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    return headers;
  }
}

/** One request to the relay, as {@link RelayClient}'s fetch takes it. */
type RelayRequest = [method: string, path: string, body?: BodyInit, contentType?: string, turn?: TurnRequest, keepalive?: boolean];

/** The JSON body of a speech request: the voice and format are the agent's, set by the relay. */
function speechBody(text: string): string {
  return JSON.stringify({ input: text });
}

/** A 404 answer to a DELETE (told apart from other failures by `forgetVisitor`). */
class NotFound extends Error {}
