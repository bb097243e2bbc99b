import { decodeWav, float32ToInt16, Resampler } from "@voice-agent/dsp";

/** Sample rate of OpenAI `pcm` speech output and of everything {@link synthesize} returns (Hz). */
export const SPEECH_SAMPLE_RATE = 24_000;

/** eSpeak NG's speaking rate at `speed: 1`, in words per minute (its own default). */
const BASE_WPM = 175;

/**
 * OpenAI voice names mapped to eSpeak NG voices and variants, so different voices sound
 * different. Unknown names fall back to `en-us`.
 */
const VOICES: Record<string, string> = {
  alloy: "en-us",
  ash: "en-us+m3",
  ballad: "en-gb+m1",
  coral: "en-us+f3",
  echo: "en-us+m2",
  fable: "en-gb",
  onyx: "en-us+m7",
  nova: "en-us+f2",
  sage: "en-us+f4",
  shimmer: "en-us+f5",
  verse: "en-us+m4",
  marin: "en-us+f1",
  cedar: "en-us+m1",
};

export interface SynthesizeOptions {
  /** OpenAI voice name; default `alloy`. */
  voice?: string;
  /** OpenAI speed factor, 0.25–4; default 1. eSpeak NG clamps the resulting rate to 80–450 wpm. */
  speed?: number;
}

/**
 * Speaks `text` with eSpeak NG (WASM) and returns mono 16-bit samples at {@link SPEECH_SAMPLE_RATE}.
 * Each call runs a fresh WASM instance (about 100 ms on a laptop, almost all of it instantiation);
 * eSpeak NG's 22 050 Hz output is resampled with the widget's band-limited resampler.
 */
export async function synthesize(text: string, options: SynthesizeOptions = {}): Promise<Int16Array> {
  const ESpeakNg = (await import("espeak-ng")).default;
  const voice = VOICES[options.voice ?? "alloy"] ?? "en-us";
  const wpm = Math.round(Math.min(450, Math.max(80, BASE_WPM * (options.speed ?? 1))));
  const errors: string[] = [];
  // The text goes through a file rather than argv so input starting with "-" is not read as a flag.
  const instance = await ESpeakNg({
    arguments: ["-v", voice, "-s", String(wpm), "-w", "out.wav", "-f", "in.txt"],
    preRun: [(module) => module.FS.writeFile("in.txt", text)],
    print: () => {},
    printErr: (line) => errors.push(line),
  });
  let wav: Uint8Array;
  try {
    wav = instance.FS.readFile("out.wav");
  } catch (cause) {
    throw new Error(`eSpeak NG wrote no audio: ${errors.join(" ") || "no message"}`, { cause });
  }
  const { samples, sampleRate } = decodeWav(wav);
  const resampler = new Resampler({ inRate: sampleRate, outRate: SPEECH_SAMPLE_RATE });
  const out = new Float32Array(resampler.maxOutput(samples.length + resampler.latencyInput));
  const n = resampler.process(samples, out);
  return float32ToInt16(out.subarray(0, n + resampler.flush(out.subarray(n))));
}

/**
 * Speaks `text` one sentence at a time, yielding each sentence's samples as soon as it is ready
 * (the next sentence is synthesized while the caller consumes the current one), so playback can
 * start after the first sentence instead of the whole input.
 */
export async function* synthesizeSentences(text: string, options: SynthesizeOptions = {}): AsyncGenerator<Int16Array> {
  const sentences = text.split(/(?<=[.!?;:…])\s+/).filter((sentence) => sentence.trim() !== "");
  let next: Promise<Int16Array> | undefined;
  try {
    for (let i = 0; i < sentences.length; i++) {
      const current = next ?? synthesize(sentences[i] ?? "", options);
      next = i + 1 < sentences.length ? synthesize(sentences[i + 1] ?? "", options) : undefined;
      yield await current;
    }
  } finally {
    // A consumer that stops early leaves a prefetch running; its failure is of no interest.
    next?.catch(() => {});
  }
}
