/** A scripted, call-recording {@link Transport} for element tests. */
import type { CreateSessionRequest, CreateSessionResponse, RefreshSessionResponse, SessionReport } from "@voice-agent/relay/protocol";
import type {
  ChatDelta,
  RealtimeChannel,
  RealtimeEvent,
  RealtimeHandlers,
  RealtimeMediaChannel,
  Transcript,
  Transport,
  TurnRequest,
} from "../conversation/transport.ts";
import type { WireMessage } from "../conversation/wire.ts";
import { WidgetError, type WidgetErrorCode } from "../widget-error.ts";
import { openFakeRealtime } from "./fake-realtime.ts";

/** One recorded call. */
export type TransportCall =
  | { method: "openSession"; request: CreateSessionRequest }
  | { method: "refreshSession"; sessionId: string }
  | { method: "transcribe"; bytes: number; language: string | undefined; turnId: string; speculative: boolean; aborted?: boolean }
  | { method: "chat"; messages: WireMessage[]; turnId: string; speculative: boolean; aborted?: boolean }
  | { method: "speech"; text: string; turnId: string }
  | { method: "forgetVisitor"; token: string }
  | { method: "report"; sessionId: string; reports: SessionReport[]; keepalive: boolean }
  | { method: "openRealtime"; token: string }
  | { method: "openRealtimeCall"; token: string; microphone: boolean; start: "relay" | "direct" };

type Method = TransportCall["method"];

export interface FakeTransportOptions {
  /** Greeting the fake session carries. Default "Hello! How can I help?". */
  greeting?: string;
  /** The agent's `speculation` (transcription at a pause). Default true. */
  speculation?: boolean;
  /** Token lifetime, ms. Default 10 minutes. */
  tokenTtlMs?: number;
  /** Session lifetime (`sessionEndsAt` after opening), ms. Default 1 hour. */
  sessionTtlMs?: number;
  /** Audio the fake TTS produces per character of text, ms. Default 40. */
  speechMsPerChar?: number;
  /** Who ends turns in the agent's realtime mode. Default `local`. */
  realtimeTurns?: "local" | "provider";
  /** How the agent's WebRTC calls start. Default `relay`. */
  realtimeWebrtc?: "relay" | "direct";
  /** The agent's server tools (the relay runs them). Default none. */
  serverTools?: string[];
}

/** Scripted relay: queue transcripts and replies, inject failures, inspect `calls`. */
export class FakeTransport implements Transport {
  readonly calls: TransportCall[] = [];
  onTokenExpired: (() => Promise<unknown>) | undefined;
  /** Transcripts returned by `transcribe`, in order (then "hello"). */
  readonly transcripts: string[] = [];
  /** Replies streamed by `chat`, in order: a string streams word by word; an array streams as given. */
  readonly replies: (string | ChatDelta[])[] = [];
  readonly #failures: { method: Method; error: WidgetError }[] = [];
  readonly #options: Required<FakeTransportOptions>;
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;
  #sessions = 0;
  #refreshes = 0;
  #chats = 0;
  #sessionEndsAt = 0;
  /** Events the widget sent on its realtime calls, in order. */
  readonly realtimeEvents: RealtimeEvent[] = [];
  /** Reply texts of realtime calls, in order (`tool:<name>` calls that tool, see `FakeRealtimeScript`). */
  readonly realtimeReplies: string[] = [];
  /** Relay error codes refusing the next realtime `response.create`s (see {@link refuseNextRealtimeResponse}). */
  readonly #realtimeRefusals: string[] = [];
  #dropRealtime: ((code: number, reason: string) => void) | undefined;
  #endRealtimeTurn: (() => void) | undefined;
  #stopRealtimeAudio: (() => void) | undefined;
  /** WebRTC calls: the reply's audio plays until {@link stopRealtimeAudio} (else it stops after `response.done`). */
  holdRealtimeAudio = false;
  /** WebRTC calls: what `heardMs()` answers, ms (the reply track's playout). */
  realtimeHeardMs = 0;
  /** WebRTC calls: every `muteReply`, in order. */
  readonly realtimeMutes: boolean[] = [];
  /** WebRTC calls: how many times a reply's playout count was restarted (`markReply`). */
  realtimeMarks = 0;

  constructor(options: FakeTransportOptions = {}) {
    this.#options = {
      greeting: "Hello! How can I help?",
      speculation: true,
      tokenTtlMs: 600_000,
      sessionTtlMs: 3_600_000,
      speechMsPerChar: 40,
      realtimeTurns: "local",
      realtimeWebrtc: "relay",
      serverTools: [],
      ...options,
    };
  }

  /** The next call of `method` rejects with a WidgetError of `code` (queue several for several calls). */
  failNext(method: Method, code: WidgetErrorCode, message = `fake ${code}`): void {
    this.#failures.push({ method, error: new WidgetError(code, message) });
  }

  /** The next call of `method` rejects with `error` (e.g. one carrying a `relayCode`). */
  failNextWith(method: Method, error: WidgetError): void {
    this.#failures.push({ method, error });
  }

  /** Holds chat streams after their first delta until {@link release} is called. */
  hold(): void {
    this.#held = new Promise((resolve) => (this.#release = resolve));
  }

  /** Lets held chat streams continue. */
  release(): void {
    this.#release?.();
    this.#held = undefined;
  }

  /** Calls of one method. */
  callsOf<M extends Method>(method: M): Extract<TransportCall, { method: M }>[] {
    return this.calls.filter((c): c is Extract<TransportCall, { method: M }> => c.method === method);
  }

  async openSession(request: CreateSessionRequest): Promise<CreateSessionResponse> {
    this.calls.push({ method: "openSession", request });
    this.#maybeFail("openSession");
    const n = ++this.#sessions;
    this.#sessionEndsAt = Date.now() + this.#options.sessionTtlMs;
    return {
      sessionId: `session-${n}`,
      token: `token-${n}`,
      expiresAt: Math.min(Date.now() + this.#options.tokenTtlMs, this.#sessionEndsAt),
      sessionEndsAt: this.#sessionEndsAt,
      agent: {
        id: request.agent,
        name: "Test agent",
        greeting: this.#options.greeting,
        speculation: this.#options.speculation,
        maxToolRounds: 3,
        realtimeTurns: this.#options.realtimeTurns,
        realtimeWebrtc: this.#options.realtimeWebrtc,
        ...(this.#options.serverTools.length ? { serverTools: this.#options.serverTools } : {}),
      },
      greetingId: `session-${n}:greeting`,
      upstream: "provider",
    };
  }

  async refreshSession(): Promise<RefreshSessionResponse> {
    const sessionId = `session-${this.#sessions}`;
    this.calls.push({ method: "refreshSession", sessionId });
    this.#maybeFail("refreshSession");
    return {
      sessionId,
      token: `token-${this.#sessions}.${++this.#refreshes}`,
      expiresAt: Math.min(Date.now() + this.#options.tokenTtlMs, this.#sessionEndsAt),
      sessionEndsAt: this.#sessionEndsAt,
    };
  }

  async transcribe(
    wav: Uint8Array,
    { turnId, signal, speculative = false }: TurnRequest,
    onDelta?: (text: string) => void,
    language?: string,
  ): Promise<Transcript> {
    const call = { method: "transcribe" as const, bytes: wav.byteLength, language, turnId, speculative };
    this.calls.push(call);
    signal.addEventListener("abort", () => Object.assign(call, { aborted: true }), { once: true });
    this.#maybeFail("transcribe");
    const text = this.transcripts.shift() ?? "hello";
    const half = text.slice(0, Math.ceil(text.length / 2));
    onDelta?.(half);
    await tick(signal);
    return { text, confidence: 0.9 };
  }

  async *chat(messages: WireMessage[], { turnId, signal, speculative = false }: TurnRequest): AsyncGenerator<ChatDelta> {
    const call = { method: "chat" as const, messages: structuredClone(messages), turnId, speculative };
    this.calls.push(call);
    signal.addEventListener("abort", () => Object.assign(call, { aborted: true }), { once: true });
    this.#maybeFail("chat");
    const reply = this.replies.shift() ?? "This is a reply.";
    const deltas: ChatDelta[] = typeof reply === "string" ? reply.split(/(?<= )/).map((text) => ({ type: "text", text })) : reply;
    // Like the relay with records: the reply's record id comes with the response headers.
    yield { type: "record", id: `record-reply-${++this.#chats}` };
    for (const [i, delta] of deltas.entries()) {
      await tick(signal);
      yield delta;
      if (i === 0 && this.#held) await Promise.race([this.#held, aborted(signal)]);
    }
  }

  async *speech(text: string, { turnId, signal }: TurnRequest): AsyncGenerator<Int16Array> {
    this.calls.push({ method: "speech", text, turnId });
    this.#maybeFail("speech");
    const samples = Math.round((text.length * this.#options.speechMsPerChar * 24_000) / 1000);
    // Two chunks, so consumers see streaming.
    const half = Math.floor(samples / 2);
    await tick(signal);
    yield new Int16Array(half).fill(1000);
    await tick(signal);
    yield new Int16Array(samples - half).fill(1000);
  }

  /** Every report sent so far, in order. */
  get reports(): SessionReport[] {
    return this.callsOf("report").flatMap((c) => c.reports);
  }

  async report(reports: SessionReport[], options: { keepalive?: boolean } = {}): Promise<void> {
    this.calls.push({
      method: "report",
      sessionId: `session-${this.#sessions}`,
      reports: structuredClone(reports),
      keepalive: options.keepalive ?? false,
    });
    this.#maybeFail("report");
  }

  async forgetVisitor(): Promise<void> {
    this.calls.push({ method: "forgetVisitor", token: `token-${this.#sessions}` });
    this.#maybeFail("forgetVisitor");
  }

  async openRealtime(handlers: RealtimeHandlers): Promise<RealtimeChannel> {
    this.calls.push({ method: "openRealtime", token: `token-${this.#sessions}` });
    this.#maybeFail("openRealtime");
    return this.#openFakeRealtime(handlers, undefined);
  }

  /** A WebRTC call: the same script on its data channel, the reply's audio framed by `output_audio_buffer.*`. */
  async openRealtimeCall(
    handlers: RealtimeHandlers,
    microphone: MediaStreamTrack | undefined,
    start: "relay" | "direct",
  ): Promise<RealtimeMediaChannel> {
    this.calls.push({ method: "openRealtimeCall", token: `token-${this.#sessions}`, microphone: microphone !== undefined, start });
    this.#maybeFail("openRealtimeCall");
    const channel = this.#openFakeRealtime(handlers, { holdAudio: this.holdRealtimeAudio });
    return {
      ...channel,
      markReply: () => void this.realtimeMarks++,
      heardMs: async () => this.realtimeHeardMs,
      muteReply: (muted) => void this.realtimeMutes.push(muted),
    };
  }

  #openFakeRealtime(handlers: RealtimeHandlers, webrtc: { holdAudio: boolean } | undefined): RealtimeChannel {
    const script = {
      transcripts: this.transcripts,
      replies: this.realtimeReplies,
      refusals: this.#realtimeRefusals,
      speechMsPerChar: this.#options.speechMsPerChar,
      received: this.realtimeEvents,
      ...(webrtc ? { webrtc } : {}),
    };
    const { channel, drop, endTurn, stopAudio } = openFakeRealtime(script, handlers);
    this.#dropRealtime = drop;
    this.#endRealtimeTurn = endTurn;
    this.#stopRealtimeAudio = stopAudio;
    return channel;
  }

  /** WebRTC calls: the reply's audio has all played (`output_audio_buffer.stopped`). */
  stopRealtimeAudio(): void {
    this.#stopRealtimeAudio?.();
  }

  /** The provider's turn detection ends the visitor's turn on the open call: it commits what came and answers. */
  endRealtimeTurn(): void {
    this.#endRealtimeTurn?.();
  }

  /**
   * The open realtime call ends without the widget closing it: by default as a network drop does (`1006`, no
   * reason); with the relay's close code and reason (e.g. `1011`, `upstream_error`) as the relay ends it.
   */
  dropRealtime(code = 1006, reason = ""): void {
    this.#dropRealtime?.(code, reason);
  }

  /**
   * The relay refuses the next `response.create` of a realtime call with `relayCode`, as it does: an
   * `error` event (`rate_limited`: the event was dropped), and for a code that ends the call
   * (`upstream_error`, …) the call's close with that reason.
   */
  refuseNextRealtimeResponse(relayCode: string): void {
    this.#realtimeRefusals.push(relayCode);
  }

  #maybeFail(method: Method): void {
    const i = this.#failures.findIndex((f) => f.method === method);
    if (i >= 0) throw this.#failures.splice(i, 1)[0]!.error;
  }
}

async function tick(signal: AbortSignal): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  signal.throwIfAborted();
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}
