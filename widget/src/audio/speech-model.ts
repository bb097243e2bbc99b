/**
 * Silero v5 voice activity model (ONNX, run by onnxruntime-web's WASM backend through vad-web's model
 * class). Works in browsers and in Node; the caller supplies the configured `ort` module and the model
 * bytes, so no asset location is assumed here.
 */
import type * as Ort from "onnxruntime-web/wasm";
import { Silero } from "@ricky0123/vad-web/dist/models/silero.js";
import { log } from "@ricky0123/vad-web/dist/logging.js";

// vad-web logs every model load with console.log: noise on a host page and in the analyze command's JSON.
log.debug = () => {};

/** Samples per Silero v5 frame at 16 kHz (32 ms). */
export const VAD_FRAME_SAMPLES = 512;

/** A speech probability model over 16 kHz frames of {@link VAD_FRAME_SAMPLES} samples. */
export interface SpeechModel {
  /** Speech probability (0…1) of the next frame. Calls must not overlap: the model is recurrent. */
  probability(frame: Float32Array): Promise<number>;
  /** Forgets the recurrent state. */
  reset(): void;
  release(): Promise<void>;
}

/** Loads Silero v5 from its `.onnx` bytes into one single-threaded WASM inference session. */
export async function loadSpeechModel(ort: typeof Ort, model: ArrayBuffer): Promise<SpeechModel> {
  ort.env.wasm.numThreads = 1;
  const silero = await Silero.new(ort, async () => model);
  return {
    probability: async (frame) => (await silero.process(frame)).isSpeech,
    reset: () => silero.reset_state(),
    release: () => silero.release(),
  };
}
