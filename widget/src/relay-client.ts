/** The widget's client of the relay: session creation and the three OpenAI-compatible stages. */
import type { ChatMessage, ChatRequest, CreateSessionRequest, CreateSessionResponse, ErrorBody, SpeechRequest } from "@voice-agent/relay/protocol";
import { SESSIONS_PATH } from "@voice-agent/relay/protocol";
import { readSse } from "./sse.ts";
import { WidgetError, type WidgetErrorCode } from "./widget-error.ts";

const CODE_BY_RELAY_CODE: Record<string, WidgetErrorCode> = {
  origin_not_allowed: "origin-not-allowed",
  unauthorized: "unauthorized",
  token_expired: "unauthorized",
  upstream_error: "upstream",
  upstream_timeout: "upstream",
  rate_limited: "rate-limited",
};

/** Talks to one relay with one session's token. */
export class RelayClient {
  readonly relayUrl: string;
  #token = "";

  /** `relayUrl` is the relay's absolute base URL, e.g. `https://relay.example.com`. */
  constructor(relayUrl: string) {
    this.relayUrl = relayUrl.replace(/\/+$/, "");
  }

  /** Creates a session for `agent` and keeps its token for the other calls. */
  async createSession(agent: string): Promise<CreateSessionResponse> {
    const body: CreateSessionRequest = { agent };
    const session = (await (await this.#post(SESSIONS_PATH, JSON.stringify(body), "application/json")).json()) as CreateSessionResponse;
    this.#token = session.token;
    return session;
  }

  /** Transcribes one WAV utterance; returns the text. */
  async transcribe(wav: Uint8Array, signal?: AbortSignal): Promise<string> {
    const form = new FormData();
    form.append("file", new Blob([wav as Uint8Array<ArrayBuffer>], { type: "audio/wav" }), "utterance.wav");
    const response = await this.#post("/v1/audio/transcriptions", form, undefined, signal);
    return ((await response.json()) as { text: string }).text;
  }

  /** Streams the agent's reply to `messages`; yields text deltas as they arrive. */
  async *chat(messages: ChatMessage[], signal?: AbortSignal): AsyncGenerator<string> {
    const body: ChatRequest = { messages, stream: true };
    const response = await this.#post("/v1/chat/completions", JSON.stringify(body), "application/json", signal);
    for await (const data of readSse(response.body!)) {
      if (data === "[DONE]") return;
      const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] } & Partial<ErrorBody>;
      if (chunk.error) throw new WidgetError(CODE_BY_RELAY_CODE[chunk.error.code] ?? "upstream", chunk.error.message);
      const delta = chunk.choices?.[0]?.delta?.content;
      if (delta) yield delta;
    }
  }

  /** Streams the speech of `text` as 16-bit PCM chunks at 24 kHz (whole samples only). */
  async *speech(text: string, signal?: AbortSignal): AsyncGenerator<Int16Array> {
    const body: SpeechRequest = { input: text };
    const response = await this.#post("/v1/audio/speech", JSON.stringify(body), "application/json", signal);
    const reader = response.body!.getReader();
    let carry: number | undefined;
    for (;;) {
      const { value, done } = await reader.read();
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

  async #post(path: string, body: BodyInit, contentType?: string, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (contentType) headers["content-type"] = contentType;
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await fetch(this.relayUrl + path, { method: "POST", body, headers, signal: signal ?? null });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new WidgetError("relay-unreachable", `The relay at ${this.relayUrl} cannot be reached.`, cause);
    }
    if (response.ok) return response;
    const error = ((await response.json().catch(() => ({}))) as Partial<ErrorBody>).error;
    const code = response.status === 429 ? "rate-limited" : (CODE_BY_RELAY_CODE[error?.code ?? ""] ?? (response.status >= 500 ? "upstream" : "bad-request"));
    throw new WidgetError(code, error?.message ?? `The relay answered HTTP ${response.status}.`);
  }
}
