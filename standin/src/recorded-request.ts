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

/** A call on the realtime WebSocket (`GET /v1/realtime?model=…`), updated while it runs. */
export interface RecordedRealtimeCall extends RecordedBase {
  route: "realtime-call";
  model: string;
  /** The `type` of every client event, in order. */
  events: string[];
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
