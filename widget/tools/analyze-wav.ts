/**
 * Offline analysis: runs the widget's own stages (resampler → Silero v5 → end of turn) over a whole
 * WAV file in Node, exactly as the capture path does frame by frame in the browser.
 */
import * as ort from "onnxruntime-web/wasm";
import { EndOfTurn, type EndOfTurnOptions } from "@voice-agent/dsp";
import { Resampler } from "@voice-agent/dsp";
import { decodeWav } from "@voice-agent/dsp";
import { loadSpeechModel, VAD_FRAME_SAMPLES } from "../src/audio/speech-model.ts";
import { vadModel } from "./vad-model.ts";

/** One detected utterance, in ms from the start of the file. */
export interface DetectedUtterance {
  startMs: number;
  endMs: number;
}

/** The Silero v5 model the widget ships (its 16 kHz graph, see `vad-model.ts`). */
export async function readVadModel(): Promise<ArrayBuffer> {
  const bytes = vadModel();
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Detects the utterances of a WAV file of any sample rate and channel count. */
export async function analyzeWav(
  wav: Uint8Array,
  turn: Partial<Omit<EndOfTurnOptions, "frameSamples">> = {},
): Promise<DetectedUtterance[]> {
  return (await analyzeWavTimed(wav, turn)).map(({ startMs, endMs }) => ({ startMs, endMs }));
}

/** {@link analyzeWav}, plus `decidedMs`: the end of the frame at which the turn ended (ms from the file's start). */
export async function analyzeWavTimed(
  wav: Uint8Array,
  turn: Partial<Omit<EndOfTurnOptions, "frameSamples">> = {},
): Promise<(DetectedUtterance & { decidedMs: number })[]> {
  const { sampleRate, samples } = decodeWav(wav);
  const resampler = new Resampler({ inRate: sampleRate, outRate: 16_000 });
  const audio = new Float32Array(resampler.maxOutput(samples.length + resampler.latencyInput));
  let length = resampler.process(samples, audio);
  length += resampler.flush(audio.subarray(length));
  const model = await loadSpeechModel(ort, await readVadModel());
  const endOfTurn = new EndOfTurn({ ...turn, frameSamples: VAD_FRAME_SAMPLES });
  const found: (DetectedUtterance & { decidedMs: number })[] = [];
  const frame = new Float32Array(VAD_FRAME_SAMPLES);
  // Trailing silence lets a turn that runs to the end of the file close like it would live.
  const tail = Math.ceil(((turn.silenceMs ?? 700) / 1000) * 16_000) + VAD_FRAME_SAMPLES;
  for (let at = 0; at < length + tail; at += VAD_FRAME_SAMPLES) {
    frame.fill(0);
    if (at < length) frame.set(audio.subarray(at, Math.min(length, at + VAD_FRAME_SAMPLES)));
    const result = endOfTurn.process(frame, await model.probability(frame));
    if (result.kind === "turn-end")
      found.push({
        startMs: Math.round(result.startMs),
        endMs: Math.round(result.endMs),
        decidedMs: ((at + VAD_FRAME_SAMPLES) / 16_000) * 1000,
      });
  }
  await model.release();
  return found;
}
