/**
 * Typed messages between the player (main thread) and the audio loop's speech feed, on a port of
 * their own. Once the loop is connected, every playback command of the main thread goes this way, so
 * that a reply's chunks, its speech streams and its end reach the playback worklet in the order sent.
 */
import type { SpeechRequest } from "../conversation/transport.ts";
import type { WidgetErrorData } from "../widget-error.ts";
import type { PlaybackCommand } from "./worklet-messages.ts";

/**
 * Player → feed. `chunk` and `end` are queued behind the speech streams sent before them; `stop` is
 * passed on at once. A stream is fetched when it is the head of the queue or the one after it.
 */
export type FeedCommand =
  | Extract<PlaybackCommand, { kind: "chunk" | "end" | "stop" }>
  /** Fetch `request` and play its 24 kHz 16-bit PCM as part of reply `replyId`. */
  | { kind: "speech"; replyId: number; streamId: number; request: SpeechRequest }
  /** Fetch the failed stream `streamId` again with `request` (a renewed token), in the same place. */
  | { kind: "speech-retry"; streamId: number; request: SpeechRequest }
  /** Abort stream `streamId` (its fetch too) and drop it; the answer to `speech-error` when not retried. */
  | { kind: "speech-cancel"; streamId: number };

/** Feed → player. */
export type FeedEvent =
  /**
   * `samples` (24 kHz) of stream `streamId` are about to be queued for playback, at `atMs` (epoch
   * ms, see `clock.ts`). Sent before the chunk goes to the worklet.
   */
  | { kind: "speech-audio"; streamId: number; samples: number; atMs: number }
  /** All of stream `streamId` was queued for playback. */
  | { kind: "speech-end"; streamId: number }
  /**
   * Stream `streamId` failed; the feed holds its place (what follows waits) until the player answers
   * with `speech-retry` or `speech-cancel`.
   */
  | { kind: "speech-error"; streamId: number; error: WidgetErrorData };
