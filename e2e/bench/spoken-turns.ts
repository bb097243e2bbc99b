/**
 * Spoken turns for the e2e bench: a fake mic plays the same sentence again and again (each followed by
 * silence for the reply), the page's worklet ports are watched, and each turn is measured from the
 * visitor's true speech end (found in the captured audio) to the first reply sample played.
 */
import { chromium } from "@playwright/test";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeWav, encodeWav } from "@voice-agent/dsp";
import { fixture, withFakeMic } from "../chromium.ts";

export const progress = (text: string) => console.error(`e2e bench: ${text}`);
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const tmp = await mkdtemp(join(tmpdir(), "e2e-bench-"));

/** How {@link spokenTurns} runs its turns. */
export interface TurnOptions {
  /** Tuning given to the playback worklet (e.g. `{ learnStart: false }` for a baseline). */
  playback?: Record<string, unknown>;
  /** Merged into the element's `.config` (e.g. `{ turn: { pauseMs: 0 } }`: no speculation). */
  config?: Record<string, unknown>;
  /** Attributes set on the element before it starts (e.g. `{ mode: "realtime" }`). */
  attributes?: Record<string, string>;
  /** A silence this long cut into the middle of each turn's speech (a pause inside the sentence), ms; turn i takes item i mod length. */
  midPauseMs?: number[];
}

/** What {@link spokenTurns} measured. */
export interface SpokenTurns {
  /** Per counted turn: speech end → first reply sample played, ms (context time). */
  v2v: number[];
  /** Per counted reply: underruns the playback reported when it finished. */
  underruns: number[];
  /** Counted replies with at least one underrun. */
  underrunReplies: number;
  /** The widget's median stage timings (va-metrics), as text for a note. */
  stages: string;
}

/**
 * `trials` spoken turns on the host page at `hostUrl` (after one that fills the stand-in's speech cache,
 * not counted), each from the visitor's true speech end (found in the captured audio) to the first reply
 * sample the playback worklet rendered, with the underruns of each reply's playback.
 */
export async function spokenTurns(hostUrl: string, trials: number, label: string, options: TurnOptions = {}): Promise<SpokenTurns> {
  const { playback = {}, config = {}, attributes = {}, midPauseMs = [0] } = options;
  const wav = await tiledTurns(trials + 1, midPauseMs);
  const browser = await chromium.launch(withFakeMic(wav));
  try {
    const page = await browser.newPage();
    await page.addInitScript(instrumentWorklets, playback);
    await page.goto(`${hostUrl}/embed.html`);
    await page.evaluate(
      async ({ config, attributes }) => {
        await customElements.whenDefined("voice-agent");
        const el = document.querySelector("voice-agent") as HTMLElement & { config: object; start(): void };
        for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
        el.config = { greet: false, history: "memory", ...config };
        el.start();
      },
      { config, attributes },
    );
    // Each turn is 1–2 s of speech and 9 s of silence; the last reply must also finish playing.
    await page.waitForFunction((n) => (window as unknown as { bench: BenchLog }).bench.playback.length >= n, trials + 1, {
      timeout: 30_000 + (trials + 1) * 15_000,
    });
    progress(`turns played${label}`);
    const log = await page.evaluate(() => {
      const b = (window as unknown as { bench: BenchLog }).bench;
      const audio = new Float32Array(b.frames.reduce((n, f) => n + f.length, 0));
      let at = 0;
      for (const f of b.frames) audio.set(f, (at += f.length) - f.length);
      return {
        started: b.started,
        rate: b.rate,
        firstPlayed: b.firstPlayed,
        metrics: b.metrics,
        playback: b.playback,
        audio: Array.from(audio),
      };
    });
    const ends = speechEnds(Float32Array.from(log.audio)).map((j) => log.started! + (j / 16_000) * log.rate);
    const v2v: number[] = [];
    const underruns: number[] = [];
    for (const [i, end] of ends.entries()) {
      const first = log.firstPlayed.find((p) => p.frame > end);
      // The first turn fills the stand-in's speech cache: not counted.
      if (i === 0 || !first) continue;
      v2v.push(((first.frame - end) / log.rate) * 1000);
      underruns.push(log.playback.find((p) => p.replyId === first.replyId)?.underruns ?? 0);
    }
    const stage = (key: string) => Math.round(median(log.metrics.slice(1).map((m) => Number(m[key]))));
    return {
      v2v,
      underruns,
      underrunReplies: underruns.filter((n) => n > 0).length,
      // turnMs: the end-of-turn decision (the utterance event) → first reply audio queued; the rest of voice to
      // voice is the VAD noticing the silence, the silence timeout and the start of playback.
      stages: `medians stt ${stage("sttMs")}, LLM first token ${stage("llmFirstTokenMs")}, TTS first audio ${stage("ttsFirstByteMs")}, end of turn → first audio queued ${stage("turnMs")} ms`,
    };
  } finally {
    await browser.close();
  }
}

interface BenchLog {
  started: number | undefined;
  rate: number;
  frames: Float32Array[];
  firstPlayed: { replyId: number; frame: number }[];
  metrics: Record<string, unknown>[];
  /** `va-playback` reports: one per reply that finished playing. */
  playback: { replyId: number; underruns: number }[];
}

/**
 * Page init script: watches the widget's two worklet ports without touching them. The capture
 * worklet's `started` frame and 16 kHz frames (mirrored to its own port: they go to the audio loop's)
 * give the audio as captured on the context clock; the
 * playback worklet's first progress report of a reply gives the context frame of its first sample
 * (frame at receipt − frames played; reports come every 100 ms of rendering).
 */
function instrumentWorklets(playback: Record<string, unknown>): void {
  const bench: BenchLog = { started: undefined, rate: 0, frames: [], firstPlayed: [], metrics: [], playback: [] };
  (window as unknown as { bench: BenchLog }).bench = bench;
  document.addEventListener("va-metrics", (e) => bench.metrics.push((e as CustomEvent).detail));
  document.addEventListener("va-playback", (e) => bench.playback.push((e as CustomEvent).detail));
  const Original = AudioWorkletNode;
  const seen = new Set<number>();
  window.AudioWorkletNode = class extends Original {
    constructor(context: BaseAudioContext, name: string, options?: AudioWorkletNodeOptions) {
      // The capture worklet posts its frames to the audio loop's port; `mirror` has it post a copy here too.
      const extra = name === "voice-agent-capture" ? { mirror: true } : name === "voice-agent-playback" ? playback : {};
      super(context, name, { ...options, processorOptions: { ...options?.processorOptions, ...extra } });
      if (name === "voice-agent-capture") {
        bench.rate = context.sampleRate;
        this.port.addEventListener("message", (e: MessageEvent) => {
          if (e.data.kind === "started") bench.started = e.data.contextFrame;
          else if (e.data.kind === "frame") bench.frames.push((e.data.samples as Float32Array).slice());
        });
        this.port.start(); // nobody else listens on this port (no `onmessage` starts it)
      } else if (name === "voice-agent-playback") {
        this.port.addEventListener("message", (e: MessageEvent) => {
          const { replyId, playedFrames } = e.data as { replyId: number; playedFrames: number };
          if (playedFrames > 0 && !seen.has(replyId)) {
            seen.add(replyId);
            bench.firstPlayed.push({ replyId, frame: Math.round(context.currentTime * context.sampleRate) - playedFrames });
          }
        });
      }
    }
  };
}

/**
 * The spoken sentence of `one-turn.wav`, `count` times, each followed by 9 s of silence (time for the
 * reply to play out), after 1 s of silence; 16 kHz.
 */
async function tiledTurns(count: number, midPauseMs: number[]): Promise<string> {
  const meta = JSON.parse(await readFile(fixture("one-turn.json"), "utf8")) as { speechStartMs: number; speechEndMs: number };
  const { samples, sampleRate } = decodeWav(await readFile(fixture("one-turn.wav")));
  const speech = samples.subarray(Math.round((meta.speechStartMs / 1000) * sampleRate), Math.round((meta.speechEndMs / 1000) * sampleRate));
  const spoken = Float32Array.from(
    { length: Math.floor((speech.length * 16_000) / sampleRate) },
    (_, i) => speech[Math.floor((i * sampleRate) / 16_000)]!,
  );
  const half = Math.floor(spoken.length / 2);
  const period = spoken.length + Math.round((Math.max(...midPauseMs) / 1000) * 16_000) + 9 * 16_000;
  const out = new Float32Array(16_000 + count * period);
  for (let i = 0; i < count; i++) {
    const at = 16_000 + i * period;
    out.set(spoken.subarray(0, half), at);
    out.set(spoken.subarray(half), at + half + Math.round((midPauseMs[i % midPauseMs.length]! / 1000) * 16_000));
  }
  const file = join(tmp, `turns-tiled-${count}-${midPauseMs.join("-")}.wav`);
  await writeFile(file, encodeWav(out, 16_000));
  return file;
}

/** Indices (16 kHz) of the last sample above −40 dBFS before each ≥ 1 s quiet stretch. */
function speechEnds(audio: Float32Array): number[] {
  const ends: number[] = [];
  let last = -1;
  for (let j = 0; j < audio.length; j++) {
    if (Math.abs(audio[j]!) > 0.01) last = j;
    else if (last >= 0 && j - last === 16_000) {
      ends.push(last);
      last = -1;
    }
  }
  return ends;
}
