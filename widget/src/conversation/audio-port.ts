/**
 * What the conversation needs from the audio engine (`audio/audio-engine.ts` satisfies it), so element
 * tests can inject a fake engine.
 */
import type { AudioEngineEvents, AudioEngineOptions } from "../audio/audio-engine.ts";
import type { PlaybackReport } from "../audio/worklet-messages.ts";
import type { AudioLoopPath } from "../audio/loop-messages.ts";

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
}

/** The audio engine of one conversation. */
export interface AudioPort {
  /** Opens the mic, loads the VAD; rejects with `mic-denied`, `no-mic`, `audio` or `vad`. */
  start(): Promise<void>;
  close(): void;
  /** Set once `start()` resolved. */
  readonly player: PlaybackPort | undefined;
  /** Mutes the visitor's mic (the track is disabled, not stopped); may be called before `start()`. */
  setMuted(muted: boolean): void;
  /** The microphone's capture rate, Hz (reported to the session records). */
  readonly deviceRate?: number;
  /** Where the audio loop runs, once started (reported in `va-metrics`). */
  readonly loopPath?: AudioLoopPath;
}

/** Creates the engine. Called synchronously inside `start()`, i.e. inside the visitor's click. */
export type AudioFactory = (options: AudioEngineOptions, events: AudioEngineEvents) => AudioPort | Promise<AudioPort>;

export type { AudioEngineEvents, AudioEngineOptions, PlaybackReport };
