/** Pure audio stages of the widget: no DOM, no clocks, no I/O. */
export { Resampler, type ResamplerOptions } from "./resampler.ts";
export { EndOfTurn, type EndOfTurnOptions, type EndOfTurnResult } from "./end-of-turn.ts";
export { encodeWav, decodeWav, type DecodedWav } from "./wav.ts";
export { float32ToInt16, int16ToFloat32 } from "./pcm.ts";
export { levelDb } from "./level.ts";
export { EchoEstimator, ECHO_ESTIMATOR_DEFAULTS, type EchoEstimatorOptions, type EchoFrame } from "./echo-estimator.ts";
export { BargeInDetector, BARGE_IN_DEFAULTS, type BargeInOptions, type BargeInDecision } from "./barge-in.ts";
export { PlaybackQueue, heardMs, type PlaybackQueueOptions, type RenderResult } from "./playback-queue.ts";
