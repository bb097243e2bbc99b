/** Typed messages on the ports of the widget's two AudioWorklets. */
import type { PlaybackQueueOptions } from "@voice-agent/dsp";

/** Name under which the capture worklet registers. */
export const CAPTURE_PROCESSOR = "voice-agent-capture";
/** Name under which the playback worklet registers. */
export const PLAYBACK_PROCESSOR = "voice-agent-playback";

/**
 * Main thread → either worklet, once: from then on the worklet posts to `port` (the capture worklet its
 * frames; the playback worklet its reports, besides its own port) and the playback worklet also takes
 * commands from it. The audio loop holds the other end, in its Worker or on the main thread.
 */
export interface ConnectCommand {
  kind: "connect";
  port: MessagePort;
}

/** Capture worklet → the audio loop (on the port given by {@link ConnectCommand}). */
export type CaptureMessage =
  | {
      kind: "frame";
      /** 512 samples at 16 kHz (buffer transferred). */
      samples: Float32Array;
      /**
       * Context frame (at the context's rate) of the input sample that completed this frame: the
       * capture clock, for measuring latency on the context's timeline.
       */
      endFrame: number;
    }
  | {
      /** Sent once, before the first frame: the context frame of the first captured sample. */
      kind: "started";
      contextFrame: number;
    };

/**
 * Playback worklet → audio loop only: what the worklet rendered (the reply as played: fades and holds
 * included), resampled to 16 kHz, in blocks of {@link REFERENCE_BLOCK} samples; `contextFrame` is the
 * context frame of `samples[0]`. Nothing is sent while no reply plays (a gap is silence). The echo
 * reference of the barge-in detector.
 */
export interface ReferenceMessage {
  kind: "rendered";
  samples: Float32Array;
  contextFrame: number;
}

/** 16 kHz samples per {@link ReferenceMessage} (8 ms). */
export const REFERENCE_BLOCK = 128;

/** Tuning of the playback worklet, passed as `processorOptions`. */
export type PlaybackTuning = Omit<PlaybackQueueOptions, "sampleRate">;

/** Main thread or audio loop → playback worklet. */
export type PlaybackCommand =
  | { kind: "chunk"; replyId: number; samples: Float32Array }
  | { kind: "end"; replyId: number }
  /** Fade the playing reply out within one render quantum and pause it there, keeping its queue and clock. */
  | { kind: "hold" }
  /** End a hold: the reply continues from where it paused, with a short fade-in. */
  | { kind: "resume" }
  /**
   * Fade the playing reply out within one render quantum and drop the rest of it (later chunks of it
   * too). `bargeIn`: the visitor's confirmed speech stopped it (echoed in the `stopped` report).
   */
  | { kind: "stop"; bargeIn?: boolean };

/** What the playback worklet reports about one reply. Frames are at the context's rate. */
export interface PlaybackReport {
  replyId: number;
  /** Frames rendered from this reply (silence inserted on underrun excluded). */
  playedFrames: number;
  /** Frames received for this reply so far. */
  receivedFrames: number;
  /**
   * What the visitor has heard of this reply, ms: rendered frames minus the output latency (for
   * "drained", the whole reply).
   */
  playedMs: number;
  /** Largest absolute sample value played (0…1). */
  peak: number;
  /** Render quanta that found the buffer empty after playback had started. */
  underruns: number;
  /** Silent frames rendered since the reply's hold faded out (0 when it is not on hold). */
  heldFrames: number;
}

/** Playback worklet → main thread and audio loop. */
export type PlaybackMessage =
  /** The first chunk of reply `replyId` arrived: it is playing (or about to) from now on. */
  | { kind: "begin"; replyId: number }
  | ({ kind: "progress" } & PlaybackReport)
  | ({ kind: "drained" } & PlaybackReport)
  /**
   * The reply was stopped; output is silent from context frame `silencedAtFrame` on. `stopFrame` is
   * the context frame at which the worklet handled the stop command (the next quantum it renders);
   * `bargeIn` whether that command came from a confirmed barge-in.
   */
  | ({ kind: "stopped"; silencedAtFrame: number; stopFrame: number; bargeIn: boolean } & PlaybackReport)
  /**
   * The reply is on hold; output is silent from context frame `silencedAtFrame` on. `holdFrame` is the
   * context frame at which the worklet handled the hold command.
   */
  | ({ kind: "paused"; silencedAtFrame: number; holdFrame: number } & PlaybackReport);
