/** What the conversations need from the relay: a session part shared by every mode and a part per mode. */
import type { CreateSessionRequest, CreateSessionResponse, RefreshSessionResponse, SessionReport } from "@voice-agent/relay/protocol";
import type { WireMessage } from "./wire.ts";

/** The visitor's turn a stage request (transcription, chat, speech) belongs to. */
export interface TurnRequest {
  /** The turn's id, sent as the relay's `x-turn-id` header (the `utteranceId` of the turn's messages). */
  turnId: string;
  /** Aborts the request (barge-in, stop). */
  signal: AbortSignal;
  /**
   * Sent at a pause, before the turn ended (speculation): a transcription, or a chat request on its
   * transcript. The relay records the transcript when the turn's chat request arrives, a speculative
   * chat request and its reply when the widget reports the turn committed (`turn-committed`).
   */
  speculative?: boolean;
}

/** A finished transcription. */
export interface Transcript {
  text: string;
  /** 0…1 when the provider reports one. */
  confidence?: number;
}

/**
 * A speech request described for another context to send (the audio loop's Worker, which plays the
 * answer without the main thread): `POST url` with `headers` (the visitor's relay token among them:
 * never log them) and the JSON `body`. The answer is what {@link CascadeTransport.speech} reads.
 */
export interface SpeechRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** One piece of a streamed reply. */
export type ChatDelta =
  | { type: "text"; text: string }
  /** A complete tool call (arguments fully streamed). */
  | { type: "tool-call"; id: string; name: string; arguments: string }
  | { type: "usage"; completionTokens: number }
  /** The relay runs one of the agent's server tools (`running`), or it finished. */
  | { type: "server-tool"; name: string; running: boolean }
  /** The relay's record id of this reply (its `x-record-id`), first when the relay keeps records. */
  | { type: "record"; id: string };

/** The relay session's part of the relay, the same for every mode. Failures reject with a WidgetError. */
export interface SessionTransport {
  /** Creates a session (or a fresh one for token refresh / reconnect); later calls use its token. */
  openSession(request: CreateSessionRequest): Promise<CreateSessionResponse>;
  /** Renews the token of the current session (same session id); later calls use the new token. */
  refreshSession(): Promise<RefreshSessionResponse>;
  /**
   * Set by the session owner: called when the relay refuses the token as expired; the transport sends
   * the request once more after it resolved (with the renewed token).
   */
  onTokenExpired: (() => Promise<unknown>) | undefined;
  /**
   * Sends the widget's reports to the session records. `keepalive` lets the request outlive the page.
   * Rejects with a WidgetError; callers never wait on it in the conversation's path.
   */
  report(reports: SessionReport[], options?: { keepalive?: boolean }): Promise<void>;
  /** Asks the relay to delete the current session's visitor's records (an older relay's 404 is fine). */
  forgetVisitor(): Promise<void>;
}

/** The cascade's stages through the relay (with the current session's token). Failures reject with a WidgetError. */
export interface CascadeTransport {
  /**
   * Transcribes one 16 kHz mono WAV utterance; `onDelta` receives interim text when streamed. `language`
   * (ISO 639-1, e.g. `fr`) is a hint the relay passes on when the agent allows it.
   */
  transcribe(wav: Uint8Array, turn: TurnRequest, onDelta?: (text: string) => void, language?: string): Promise<Transcript>;
  /** Streams the reply to `messages` (one model round of the turn). */
  chat(messages: WireMessage[], turn: TurnRequest): AsyncIterable<ChatDelta>;
  /** Streams the speech of `text`: 16-bit PCM chunks at 24 kHz, whole samples only. */
  speech(text: string, turn: TurnRequest): AsyncIterable<Int16Array>;
  /**
   * Describes the speech request of `text` (with the current token) instead of sending it, for a
   * player that fetches and plays it off the main thread (`PlaybackPort.playSpeech`). Optional:
   * without it the conversation reads {@link speech} and queues the audio itself.
   */
  speechRequest?(text: string, turnId: string): SpeechRequest;
}

/** An event of a realtime call (OpenAI Realtime GA protocol), either way. */
export type RealtimeEvent = { type: string } & Record<string, unknown>;

/** An open realtime call through the relay. */
export interface RealtimeChannel {
  send(event: RealtimeEvent): void;
  /** Ends the call (no `closed` callback follows). */
  close(): void;
}

/** What a realtime call reports to its opener. */
export interface RealtimeHandlers {
  event(event: RealtimeEvent): void;
  /** The call ended from the other side: `reason` is the relay's code (`session_expired`, …) when it gave one. */
  closed(code: number, reason: string): void;
}

/**
 * An open realtime call over WebRTC: its events as {@link RealtimeChannel} (the `oai-events` data channel),
 * the microphone and the reply as media tracks. The reply plays on its own (no audio events); this is what
 * the conversation needs of it for barge-in.
 */
export interface RealtimeMediaChannel extends RealtimeChannel {
  /** A response begins: what the reply track plays out from now on is counted by {@link heardMs}. */
  markReply(): void;
  /**
   * The reply audio the visitor heard since {@link markReply}, ms: what the remote track's jitter buffer
   * played out (`getStats`), minus the device's playout delay; 0 before any.
   */
  heardMs(): Promise<number>;
  /** Silences (`true`) or restores the reply's audio at once (a barge-in hold, its release). */
  muteReply(muted: boolean): void;
}

/** The realtime mode's part of the relay (with the current session's token). */
export interface RealtimeTransport {
  /** Opens a realtime call (`GET /v1/realtime`, WebSocket); rejects with a WidgetError when it cannot. */
  openRealtime(handlers: RealtimeHandlers): Promise<RealtimeChannel>;
  /**
   * Opens a realtime call over WebRTC that sends `microphone` (only receives without it). `start` is how
   * (the agent's `realtimeWebrtc`): `relay`, the offer goes to `POST /v1/realtime/calls` and the relay
   * creates the call; `direct`, the relay mints an ephemeral key and the offer goes to the provider with it.
   * Rejects with a WidgetError as {@link openRealtime} does, or as the relay or the provider refused the
   * offer. Optional: a transport without it cannot carry `transport="webrtc"`.
   */
  openRealtimeCall?(
    handlers: RealtimeHandlers,
    microphone: MediaStreamTrack | undefined,
    start: "relay" | "direct",
  ): Promise<RealtimeMediaChannel>;
}

/** The relay, as the conversations use it: one narrow seam (`RelayClient`), faked in tests. */
export interface Transport extends SessionTransport, CascadeTransport, RealtimeTransport {}
