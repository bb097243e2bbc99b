/** Typed messages on the ports of the widget's two AudioWorklets. */

/** Name under which the capture worklet registers. */
export const CAPTURE_PROCESSOR = "voice-agent-capture";
/** Name under which the playback worklet registers. */
export const PLAYBACK_PROCESSOR = "voice-agent-playback";

/** Capture worklet → main thread. */
export type CaptureMessage = {
  kind: "frame";
  /** 512 samples at 16 kHz (buffer transferred). */
  samples: Float32Array;
};

/** Main thread → playback worklet. */
export type PlaybackCommand =
  | { kind: "chunk"; replyId: number; samples: Float32Array }
  | { kind: "end"; replyId: number }
  | { kind: "stop" };

/** What the playback worklet reports about one reply. Frames are at the context's rate. */
export interface PlaybackReport {
  replyId: number;
  /** Frames rendered from this reply (silence inserted on underrun excluded). */
  playedFrames: number;
  /** The same in milliseconds: what the visitor has heard of this reply. */
  playedMs: number;
  /** Largest absolute sample value played (0…1). */
  peak: number;
  /** Render quanta that found the buffer empty after playback had started. */
  underruns: number;
}

/** Playback worklet → main thread. */
export type PlaybackMessage =
  | ({ kind: "progress" } & PlaybackReport)
  | ({ kind: "drained" } & PlaybackReport);
