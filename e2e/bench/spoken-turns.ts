/**
 * Spoken turns for the e2e bench: a fake mic plays the same sentence again and again (each followed by
 * silence for the reply), the page's worklet ports are watched, and each turn is measured from the
 * visitor's true speech end (found in the captured audio) to the first reply sample played.
 */
import { chromium, type Page } from "@playwright/test";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeWav, encodeWav, Resampler } from "@voice-agent/dsp";
import { fixture, withFakeMic } from "../chromium.ts";

const benchStart = performance.now();
export const progress = (text: string) => console.error(`e2e bench (${Math.round((performance.now() - benchStart) / 1000)} s): ${text}`);
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
  /**
   * Also time each reply by the tap ({@link instrumentPage}): `v2vTap`. Always on with `attributes.transport`
   * `webrtc`, where the reply plays from the call's remote track, not the playback worklet (`v2v` stays empty).
   */
  tap?: boolean;
}

/** What {@link spokenTurns} measured. */
export interface SpokenTurns {
  /** Per counted turn: speech end → first reply sample played, ms (context time). */
  v2v: number[];
  /**
   * With `tap`: per counted turn, speech end → the reply's first sample above −60 dBFS reaching the page's
   * audio graph through the tap, ms (context time); the same detector for a WebSocket call's playback worklet
   * and a WebRTC call's remote track.
   */
  v2vTap: number[];
  /**
   * Per counted reply (`va-metrics` turnMs): the widget's end of turn (or the provider's commit) → the reply's
   * first audio delta (WebSocket) or `output_audio_buffer.started` (WebRTC), ms of `performance.now()`.
   */
  turnMs: number[];
  /**
   * Over WebRTC: Chromium's jitter buffer over the call's reply audio (`inbound-rtp` jitterBufferDelay ÷
   * jitterBufferEmittedCount: the mean time a sample waited in it, and the target delay it settled on, ms).
   */
  jitterBuffer?: { meanMs: number; targetMs: number };
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
  const webrtc = attributes.transport === "webrtc";
  const tap: ProbeOptions["tap"] = webrtc ? "remote" : options.tap ? "playback" : undefined;
  const wav = await tiledTurns(trials + 1, midPauseMs);
  const browser = await chromium.launch(withFakeMic(wav, { webrtc }));
  try {
    const page = await browser.newPage();
    await page.addInitScript(instrumentPage, { playback, tap, clock: false } satisfies ProbeOptions);
    await page.goto(`${hostUrl}/embed.html`);
    await startWidget(page, config, attributes);
    // Each turn is 1–2 s of speech and 9 s of silence; the last reply must also finish playing (over WebRTC
    // no playback report comes: the turn's metrics come once its audio stopped).
    await page.waitForFunction(
      ([n, webrtc]) => {
        const b = (window as unknown as { bench: BenchLog }).bench;
        return (webrtc ? b.metrics : b.playback).length >= n;
      },
      [trials + 1, webrtc] as const,
      { timeout: 30_000 + (trials + 1) * 15_000 },
    );
    progress(`turns played${label}`);
    const log = await benchLog(page);
    const jitterBuffer = webrtc ? await jitterBufferOf(page) : undefined;
    const speechEnds = findSpeechEnds(log.audio);
    const ends = speechEnds.map((j) => log.started! + (j / 16_000) * log.rate);
    // The tap's figures: both ends on capture worklets' stamps, where each sample entered the worklet.
    const endFrames = speechEnds.map((j) => captureFrameOf(j, log.stamps, log.rate));
    const tapOnsets = log.tapOnsets.map((frame) => frame - resamplerDelay(log.rate));
    const v2v: number[] = [];
    const v2vTap: number[] = [];
    const underruns: number[] = [];
    for (const [i, end] of ends.entries()) {
      // The first turn fills the stand-in's speech cache: not counted.
      if (i === 0) continue;
      const first = log.firstPlayed.find((p) => p.frame > end);
      if (first) {
        v2v.push(((first.frame - end) / log.rate) * 1000);
        underruns.push(log.playback.find((p) => p.replyId === first.replyId)?.underruns ?? 0);
      }
      const heard = tapOnsets.find((frame) => frame > endFrames[i]!);
      if (heard !== undefined) v2vTap.push(((heard - endFrames[i]!) / log.rate) * 1000);
    }
    const stage = (key: string) => Math.round(median(log.metrics.slice(1).map((m) => Number(m[key]))));
    return {
      v2v,
      v2vTap,
      turnMs: log.metrics.slice(1).map((m) => Number(m.turnMs)),
      ...(jitterBuffer ? { jitterBuffer } : {}),
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

/** Sets `attributes` and `.config` (greeting off, history in memory) on the host page's element, and starts it. */
export async function startWidget(page: Page, config: Record<string, unknown>, attributes: Record<string, string>): Promise<void> {
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
}

/** The jitter buffer of the page's newest WebRTC call's remote audio, from `getStats()` (see {@link SpokenTurns.jitterBuffer}). */
async function jitterBufferOf(page: Page): Promise<{ meanMs: number; targetMs: number }> {
  return page.evaluate(async () => {
    const peer = (window as unknown as { benchPeers: RTCPeerConnection[] }).benchPeers.at(-1)!;
    const stats: Record<string, unknown>[] = [];
    (await peer.getStats()).forEach((s: Record<string, unknown>) => stats.push(s));
    const inbound = stats.find((s) => s.type === "inbound-rtp" && s.kind === "audio") ?? {};
    const emitted = Number(inbound.jitterBufferEmittedCount);
    return {
      meanMs: (Number(inbound.jitterBufferDelay) / emitted) * 1000,
      targetMs: (Number(inbound.jitterBufferTargetDelay) / emitted) * 1000,
    };
  });
}

/** What the page's probe logged, the captured audio as one array. */
export async function benchLog(page: Page): Promise<Omit<BenchLog, "frames"> & { audio: Float32Array }> {
  const { audio, ...log } = await page.evaluate(() => {
    const { frames, ...rest } = (window as unknown as { bench: BenchLog }).bench;
    const audio = new Float32Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) audio.set(f, (at += f.length) - f.length);
    return { ...rest, audio: Array.from(audio) };
  });
  return { ...log, audio: Float32Array.from(audio) };
}

/** Context frames (at `rate`) between a sample entering a capture worklet and leaving its resampler to 16 kHz. */
export function resamplerDelay(rate: number): number {
  let delay = delays.get(rate);
  if (delay === undefined) delays.set(rate, (delay = new Resampler({ inRate: rate, outRate: 16_000 }).latencyInput));
  return delay;
}
const delays = new Map<number, number>();

/**
 * Context frame at which captured 16 kHz sample `k` entered the capture worklet: the stamp of the 512-sample
 * frame that holds it (the context frame of the input sample that completed the frame), less the samples
 * after it in that frame and the resampler's delay. `rate` is the context's.
 */
export function captureFrameOf(k: number, stamps: number[], rate: number): number {
  const stamp = stamps[Math.floor(k / 512)];
  if (stamp === undefined) return Number.NaN;
  return stamp - ((511 - (k % 512)) * rate) / 16_000 - resamplerDelay(rate);
}

/** What {@link instrumentPage} watches: tuning for the playback worklet, where the tap listens, the clock readings. */
export interface ProbeOptions {
  playback: Record<string, unknown>;
  tap: "playback" | "remote" | undefined;
  clock: boolean;
}

/** What {@link instrumentPage} keeps in `window.bench`. */
export interface BenchLog {
  started: number | undefined;
  rate: number;
  /** The mic as captured (16 kHz, 512-sample frames), and each frame's stamp (context frame). */
  frames: Float32Array[];
  stamps: number[];
  firstPlayed: { replyId: number; frame: number }[];
  metrics: Record<string, unknown>[];
  /** `va-playback` reports: one per reply that finished playing. */
  playback: { replyId: number; underruns: number }[];
  /** Playback worklet: each hold's and stop's context frame from which its output was silent. */
  silenced: { kind: "paused" | "stopped"; replyId: number; frame: number; at: number }[];
  /**
   * The tap: reply onsets (first sample above −60 dBFS after ≥ 300 ms below it), as the context frame its
   * 16 kHz sample left the tap's resampler (less {@link resamplerDelay}: where it entered the tap).
   */
  tapOnsets: number[];
  /** The tap: each 16 kHz frame's stamp and peak. */
  tapPeaks: [number, number][];
  /** Mutes and unmutes of an element playing a WebRTC call's remote track (`performance.now()`). */
  mutes: { at: number; muted: boolean }[];
  /** With `clock`: pairs of `performance.now()` and the context's `currentTime` (in frames), every 5 ms. */
  clock: [number, number][];
  interruptions: number;
}

/**
 * Page init script: watches the widget without changing what it does. The capture worklet's `started`
 * frame and 16 kHz frames (mirrored to its own port: they go to the audio loop's) give the audio as
 * captured on the context clock, each frame stamped with the context frame that completed it; the
 * playback worklet's first progress report of a reply gives the context frame of its first sample (frame
 * at receipt − frames played; reports come every 100 ms of rendering), and its hold (`paused`) and stop
 * reports the frame from which its output is silent.
 *
 * `tap`: a second capture worklet (the widget's own processor, created outside the widget) hears the reply
 * where it enters the page's audio graph: the playback worklet's output (`playback`: a WebSocket call), or a
 * `MediaStreamAudioSourceNode` on the WebRTC call's remote track (`remote`). As Chromium is built, a remote
 * track's audio is pulled from its jitter buffer for the `<audio>` element the widget plays it in and handed to
 * the track's other sinks (this source) in the same pull, so the tap hears it when the element does, plus the
 * source's input buffer (≈ 10 ms; not verified against the element's output, which no page can read). Reply onsets
 * are the first sample above −60 dBFS (0.001) after at least 300 ms below it, stamped on the context clock
 * as the mic is. `clock`: samples the context clock against `performance.now()` every 5 ms (to place a
 * main-thread event such as a mute on the context clock).
 */
export function instrumentPage({ playback, tap, clock }: ProbeOptions): void {
  const bench: BenchLog = {
    started: undefined,
    rate: 0,
    frames: [],
    stamps: [],
    firstPlayed: [],
    metrics: [],
    playback: [],
    silenced: [],
    tapOnsets: [],
    tapPeaks: [],
    mutes: [],
    clock: [],
    interruptions: 0,
  };
  (window as unknown as { bench: BenchLog }).bench = bench;
  document.addEventListener("va-metrics", (e) => bench.metrics.push((e as CustomEvent).detail));
  document.addEventListener("va-playback", (e) => bench.playback.push((e as CustomEvent).detail));
  document.addEventListener("va-interruption", () => bench.interruptions++);
  const Original = AudioWorkletNode;
  const seen = new Set<number>();
  let context: BaseAudioContext | undefined;
  let captureReady = false;
  /** What the tap should hear once it can be made (the capture processor registered). */
  let tapSource: AudioNode | undefined;
  let tapped = false;
  const makeTap = (source?: AudioNode) => {
    tapSource ??= source;
    if (!tap || tapped || !captureReady || !context || !tapSource) return;
    tapped = true;
    const node = new Original(context, "voice-agent-capture", { numberOfOutputs: 0, processorOptions: { mirror: true } });
    const rate = context.sampleRate;
    let quiet = Number.POSITIVE_INFINITY; // samples below the threshold in a row
    node.port.addEventListener("message", (e: MessageEvent) => {
      if (e.data.kind !== "frame") return;
      const samples = e.data.samples as Float32Array;
      const endFrame = e.data.endFrame as number;
      let peak = 0;
      for (let i = 0; i < samples.length; i++) {
        const x = Math.abs(samples[i]!);
        peak = Math.max(peak, x);
        if (x <= 0.001) quiet++;
        else {
          if (quiet >= 0.3 * 16_000) bench.tapOnsets.push(endFrame - ((samples.length - 1 - i) * rate) / 16_000);
          quiet = 0;
        }
      }
      bench.tapPeaks.push([endFrame, peak]);
    });
    node.port.start();
    tapSource.connect(node);
  };
  window.AudioWorkletNode = class extends Original {
    constructor(ctx: BaseAudioContext, name: string, options?: AudioWorkletNodeOptions) {
      // The capture worklet posts its frames to the audio loop's port; `mirror` has it post a copy here too.
      const extra = name === "voice-agent-capture" ? { mirror: true } : name === "voice-agent-playback" ? playback : {};
      super(ctx, name, { ...options, processorOptions: { ...options?.processorOptions, ...extra } });
      context = ctx;
      if (name === "voice-agent-capture") {
        bench.rate = ctx.sampleRate;
        captureReady = true;
        this.port.addEventListener("message", (e: MessageEvent) => {
          if (e.data.kind === "started") bench.started = e.data.contextFrame;
          else if (e.data.kind === "frame") {
            bench.frames.push((e.data.samples as Float32Array).slice());
            bench.stamps.push(e.data.endFrame as number);
          }
        });
        this.port.start(); // nobody else listens on this port (no `onmessage` starts it)
        if (clock) setInterval(() => bench.clock.push([performance.now(), Math.round(ctx.currentTime * ctx.sampleRate)]), 5);
      } else if (name === "voice-agent-playback") {
        this.port.addEventListener("message", (e: MessageEvent) => {
          const { kind, replyId, playedFrames, silencedAtFrame } = e.data as {
            kind: string;
            replyId: number;
            playedFrames: number;
            silencedAtFrame: number;
          };
          if (playedFrames > 0 && !seen.has(replyId)) {
            seen.add(replyId);
            bench.firstPlayed.push({ replyId, frame: Math.round(ctx.currentTime * ctx.sampleRate) - playedFrames });
          }
          if (kind === "paused" || kind === "stopped")
            bench.silenced.push({ kind, replyId, frame: silencedAtFrame, at: performance.now() });
        });
      }
      makeTap(tap === "playback" && name === "voice-agent-playback" ? this : undefined);
    }
  };
  // A WebRTC call: its remote track goes to the tap; its element's mutes are logged.
  const remote = new Set<MediaStreamTrack>();
  const peers: RTCPeerConnection[] = [];
  (window as unknown as { benchPeers: RTCPeerConnection[] }).benchPeers = peers;
  const Native = RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      peers.push(this);
      this.addEventListener("track", (event) => {
        remote.add(event.track);
        if (tap === "remote" && context instanceof AudioContext) {
          makeTap(context.createMediaStreamSource(new MediaStream([event.track])));
        }
      });
    }
  };
  const muted = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, "muted")!;
  Object.defineProperty(HTMLMediaElement.prototype, "muted", {
    ...muted,
    set(this: HTMLMediaElement, value: boolean) {
      const stream = this.srcObject;
      if (stream instanceof MediaStream && value !== this.muted && stream.getTracks().some((t) => remote.has(t)))
        bench.mutes.push({ at: performance.now(), muted: value });
      muted.set!.call(this, value);
    },
  });
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
export function findSpeechEnds(audio: Float32Array): number[] {
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
