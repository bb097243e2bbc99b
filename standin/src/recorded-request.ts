/** Fields every recorded request has. */
interface RecordedBase {
  /** When the request arrived, ms since the Unix epoch. */
  time: number;
  /**
   * For streamed responses: `true` once the client went away before the body ended, `false`
   * otherwise. Absent for requests whose response is not streamed.
   */
  aborted?: boolean;
}

/** A `POST /v1/audio/transcriptions` the stand-in answered. */
export interface RecordedTranscription extends RecordedBase {
  route: "transcription";
  model: string;
  stream: boolean;
  language: string | null;
  /** From the WAV header (Hz). */
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Duration of the audio data in ms. */
  durationMs: number;
  /** Size of the uploaded file in bytes. */
  bytes: number;
  /** The multipart file part's name and content type, as sent. */
  fileName: string;
  fileType: string;
}

/** One chat message as sent (only the fields the stand-in reads are typed). */
export interface RecordedMessage {
  role: string;
  content: unknown;
}

/** A `POST /v1/chat/completions` the stand-in answered. */
export interface RecordedChat extends RecordedBase {
  route: "chat";
  model: string;
  messages: RecordedMessage[];
  stream: boolean;
}

/** A `POST /v1/audio/speech` the stand-in answered. */
export interface RecordedSpeech extends RecordedBase {
  route: "speech";
  model: string;
  voice: string;
  input: string;
  responseFormat: "pcm" | "wav";
  speed: number;
}

/** A `POST /v1/realtime/client_secrets` the stand-in answered. */
export interface RecordedRealtimeSecret extends RecordedBase {
  route: "realtime";
  /** `expires_after.seconds` as sent (600 when absent, OpenAI's default). */
  ttlSeconds: number;
  /** The `session` object as sent. */
  session: Record<string, unknown>;
}

/** Why a WebRTC response's audio stopped: all sent, `output_audio_buffer.clear`, `response.cancel`, server VAD barge-in, hang-up. */
export type RecordedAudioEnd = "done" | "cleared" | "cancelled" | "interrupted" | "hangup";

/**
 * Who ended a WebRTC call: `hangup`, a `POST /v1/realtime/calls/{call_id}/hangup` (the relay's, at the
 * session's end or idle timeout); `peer`, the caller (its events channel or connection closed or failed);
 * `fault`, the stand-in (a `drop` fault).
 */
export type RecordedCallEnd = "hangup" | "peer" | "fault";

/**
 * A realtime call, updated while it runs: on the realtime WebSocket (`GET /v1/realtime?model=…`) or over
 * WebRTC (`POST /v1/realtime/calls`, events on the `oai-events` data channel and any sideband sockets).
 */
export interface RecordedRealtimeCall extends RecordedBase {
  route: "realtime-call";
  /** How the call was carried. */
  transport: "websocket" | "webrtc";
  /** WebRTC: the call's id (`rtc_standin_<n>`, as in the `Location` header). */
  callId?: string;
  model: string;
  /** The `type` of every client event (from the data channel and sidebands alike), in order. */
  events: string[];
  /**
   * WebRTC: each response that had audio, in the order its audio stopped: the audio sent as RTP by then, ms
   * (whole 20 ms frames, so a response played out is its speech rounded up to 20 ms), and why it stopped.
   */
  responses?: { responseId: string; sentAudioMs: number; end: RecordedAudioEnd }[];
  /** WebRTC: caller audio received on the track and decoded, ms. */
  micAudioMs?: number;
  /** WebRTC: sideband sockets (`GET /v1/realtime?call_id=…`) that attached to the call. */
  sidebands?: number;
  /** WebRTC: when the call ended (hang-up, the peer closed or failed), ms since the Unix epoch. */
  endedAt?: number;
  /** WebRTC: who ended the call, set with {@link endedAt}. */
  endedBy?: RecordedCallEnd;
  /** Every `conversation.item.truncate`: the item and where its audio was cut, ms. */
  truncations: { itemId: string; audioEndMs: number }[];
  /** Every `function_call_output` item: the call it answers and what the tool returned. */
  toolOutputs: { callId: string; output: string }[];
  /** The session after the last `session.update`. */
  session: Record<string, unknown> | undefined;
}

/** A request refused with an error response (bad auth, bad body, unknown path). */
export interface RecordedRejection extends RecordedBase {
  route: "rejected";
  method: string;
  path: string;
  status: number;
  code: string;
}

/** One entry of the stand-in's request log, discriminated by `route`. */
export type RecordedRequest =
  RecordedTranscription | RecordedChat | RecordedSpeech | RecordedRealtimeSecret | RecordedRealtimeCall | RecordedRejection;
