/**
 * What the conversation needs from the audio engine (`audio/audio-engine.ts` satisfies it), so element
 * tests can inject a fake engine.
 */
import type { AudioEngineEvents, AudioEngineOptions } from "../audio/audio-engine.ts";
import type { PlaybackReport } from "../audio/worklet-messages.ts";
import type { AudioLoopPath } from "../audio/loop-messages.ts";
import type { SpeechRequest } from "./transport.ts";

export interface PlaySpeechOptions {
  /** Aborts the fetch (the relay sees it) and drops what was not played yet of this stream. */
  signal: AbortSignal;
  /**
   * Called as the stream's audio is queued for playback: its length in ms (24 kHz samples ÷ 24), and
   * when it was queued on the clock of `performance.now()`.
   */
  onAudio(ms: number, at: number): void;
  /**
   * When given, called once if the relay refuses the token as expired: it renews the token and
   * describes the request again, which is then fetched in the same place of the queue.
   */
  renew?: () => Promise<SpeechRequest>;
}

/** Reply playback: PCM in, a report of what was played out. */
export interface PlaybackPort {
  /** Queues 16-bit PCM at 24 kHz for reply `replyId`. */
  enqueue(replyId: number, pcm: Int16Array): void;
  /** Marks the end of reply `replyId`; resolves once it has played (or was stopped). */
  end(replyId: number): Promise<PlaybackReport>;
  /** Drops whatever is queued. */
  stop(): void;
  /** The newest report of the reply being played. */
  readonly progress: PlaybackReport | undefined;
  /**
   * Plays the speech stream `request` describes after everything queued before it, fetching it and
   * feeding playback without the main thread (in the audio loop's Worker). Resolves once all of the
   * stream is queued; rejects with a WidgetError as `Transport.speech` would, or with the
   * signal's reason on abort. Optional: without it the conversation fetches and calls `enqueue`.
   */
  playSpeech?(replyId: number, request: SpeechRequest, options: PlaySpeechOptions): Promise<void>;
}

/**
 * The audio engine of one conversation. Created inside the visitor's click (its AudioContext must be),
 * then owned by the conversation: it starts it, receives its events and closes it.
 */
export interface AudioPort {
  /** Opens the mic, loads the VAD, then reports to `events`; rejects with `mic-denied`, `no-mic`, `audio` or `vad`. */
  start(events: AudioEngineEvents): Promise<void>;
  close(): void;
  /** Set once `start()` resolved. */
  readonly player: PlaybackPort | undefined;
  /** Starts or stops reporting the mic's audio as the events' `audio` (for a provider's turn detection). */
  stream(on: boolean): void;
  /** Mutes the visitor's mic (the track is disabled, not stopped); may be called before `start()`. */
  setMuted(muted: boolean): void;
  /** The microphone's track once started (echo cancellation on), for a WebRTC call to send. */
  readonly microphoneTrack?: MediaStreamTrack | undefined;
  /**
   * Reply `replyId` plays outside the engine (a WebRTC track), or none does (undefined): the barge-in
   * detector watches for the visitor over it and reports the events' `hold` and `bargeIn`. Optional: an
   * engine without it gives such replies no barge-in.
   */
  watchReply?(replyId: number | undefined): void;
  /** The microphone's capture rate, Hz (reported to the session records). */
  readonly deviceRate?: number;
  /** Where the audio loop runs, once started (reported in `va-metrics`). */
  readonly loopPath?: AudioLoopPath;
}

/** Creates the engine. Called synchronously inside `start()`, i.e. inside the visitor's click. */
export type AudioFactory = (options: AudioEngineOptions) => AudioPort | Promise<AudioPort>;

export type { AudioEngineEvents, AudioEngineOptions, PlaybackReport };
