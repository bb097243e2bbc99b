/**
 * Typed messages between the engine (main thread) and the audio loop (VAD, end of turn, barge-in),
 * which runs in a dedicated Worker or, as the fallback, on the main thread behind the same port.
 */
import type { BargeInOptions, EndOfTurnOptions } from "@voice-agent/dsp";
import type { PlaybackMessage } from "./worklet-messages.ts";

/** VAD frames per `audio` event while streaming (3 × 32 ms). */
export const STREAM_FRAMES = 3;

/** Where the audio loop runs: a Worker from the asset origin, a same-origin bootstrap of it, or the page's main thread. */
export type AudioLoopPath = "worker" | "worker-bootstrap" | "main-thread";

/** What the loop decided on a frame (the probe's `decision` kinds). */
export type LoopDecision = "hold" | "release" | "confirm" | "speech-start" | "turn-end";

/** When one VAD frame went through the loop, in context frames (see `FrameTiming` of the engine). */
export interface LoopFrameTiming {
  index: number;
  endFrame: number;
  receivedFrame: number;
  decidedFrame: number;
}

/** Engine → loop. Ports are transferred with `connect`. */
export type LoopCommand =
  | {
      kind: "init";
      /** Absolute URL (ending in `/`) of the model and WASM. */
      assetBase: string;
      turn: Partial<Omit<EndOfTurnOptions, "frameSamples">>;
      bargeIn?: BargeInOptions;
      /** Post `probe-*` events (frames with their samples, decisions, timings). */
      probe: boolean;
      /** Context rate, Hz: the clock of the timings. */
      sampleRate: number;
    }
  /**
   * The capture worklet's frames arrive on `capture`; `playback` talks to the playback worklet; the
   * player's commands and speech streams arrive on `feed` (see `feed-messages.ts`).
   */
  | { kind: "connect"; capture: MessagePort; playback: MessagePort; feed: MessagePort }
  /**
   * One reading of the context clock: `contextFrame` (`currentTime × rate`) at `atMs` (epoch ms, from
   * `performance.timeOrigin + performance.now()`), so the loop can stamp frames on the context's timeline.
   */
  | { kind: "clock"; atMs: number; contextFrame: number }
  /**
   * Reply `replyId` plays outside the engine (a WebRTC track), or none does (undefined): the barge-in
   * detector watches for the visitor over it and posts its decisions as `outside-reply` events.
   */
  | { kind: "outside-reply"; replyId: number | undefined }
  /** Post the microphone's audio as `audio` events from now on (`on`), or stop. */
  | { kind: "stream"; on: boolean }
  | { kind: "close" };

/** Loop → engine. */
export type LoopEvent =
  /** The loop's module ran (a Worker that never says so did not start: the engine falls back). */
  | { kind: "alive" }
  /** The model is loaded. */
  | { kind: "ready" }
  | { kind: "error"; code: "vad" | "audio"; message: string }
  | { kind: "speech-start" }
  /** The microphone's level in each 32 ms frame, dBFS (its quietest 8 ms block's; −120 for silence). */
  | { kind: "level"; db: number }
  | { kind: "utterance"; audio: Float32Array; startMs: number; endMs: number }
  /** While streaming: the microphone's 16 kHz audio, every {@link STREAM_FRAMES} frames, as captured. */
  | { kind: "audio"; samples: Float32Array }
  /** The barge-in detector's decision on a reply played outside the engine (a confirmation ends the watch). */
  | { kind: "outside-reply"; replyId: number; decision: "hold" | "release" | "confirm" }
  /** The visitor paused (the turn's `pauseMs`): the utterance so far, as `utterance` would report it. */
  | { kind: "pause"; audio: Float32Array; startMs: number; endMs: number }
  /** Speech came back after a `pause`. */
  | { kind: "resume" }
  | { kind: "probe-frame"; samples: Float32Array; probability: number; timing: LoopFrameTiming }
  | { kind: "probe-decision"; decision: LoopDecision; timing: LoopFrameTiming }
  | { kind: "probe-held"; report: Extract<PlaybackMessage, { kind: "paused" }> }
  | { kind: "probe-started"; contextFrame: number };
