/**
 * Browser harness of the audio engine for tests and the benchmark: starts an {@link AudioEngine} with
 * the widget's own assets and records what it reports, with context-frame timestamps. On a page whose
 * `<body data-autostart>` is set it starts by itself (the strict-CSP page, where no test code may run);
 * `data-autostart="main-thread"` runs the audio loop on the main thread.
 */
import {
  AudioEngine,
  type AudioEngineOptions,
  type AudioEngineProbe,
  type FrameTiming,
  type Utterance,
} from "../../src/audio/audio-engine.ts";
import type { HoldReport, StopReport } from "../../src/audio/player.ts";
import type { PlaybackReport } from "../../src/audio/worklet-messages.ts";
import { WidgetError } from "../../src/widget-error.ts";

/** Everything one run recorded. Frames are context frames; `ms` fields are stream ms. */
export interface HarnessLog {
  sampleRate: number;
  micSettings?: MediaTrackSettings;
  startedFrame?: number;
  frames: number;
  probabilities: number[];
  /** Captured 16 kHz audio (when `keepAudio`). */
  audio: number[];
  /** Per frame, in order: when it was captured, reached the main thread and was decided (context frames). */
  timings: FrameTiming[];
  /** Decisions of the barge-in detector and the end-of-turn stage, with the deciding frame's timing. */
  decisions: { kind: Parameters<NonNullable<AudioEngineProbe["decision"]>>[0]; timing: FrameTiming }[];
  speechStarts: number[];
  /** The microphone's level of each frame, dBFS. */
  levels: number[];
  utterances: { startMs: number; endMs: number; samples: number; contextFrame: number }[];
  bargeIns: { replyId: number; playedMs?: number; stop?: StopReport }[];
  /** Holds that silenced playback (the worklet's report of each). */
  holds: HoldReport[];
  drained: PlaybackReport[];
  /** Context frame at which each reply's first chunk was queued (the reply is "playing" from then). */
  replyStarts: { replyId: number; contextFrame: number }[];
  errors: string[];
  violations: string[];
  /** Where the audio loop ran. */
  loopPath?: string;
}

export type HarnessOptions = Partial<Omit<AudioEngineOptions, "assetBase">> & { assetBase?: string; keepAudio?: boolean };

const log: HarnessLog = {
  sampleRate: 0,
  frames: 0,
  probabilities: [],
  audio: [],
  timings: [],
  decisions: [],
  speechStarts: [],
  levels: [],
  utterances: [],
  bargeIns: [],
  holds: [],
  drained: [],
  replyStarts: [],
  errors: [],
  violations: [],
};
document.addEventListener("securitypolicyviolation", (e) => log.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
let engine: AudioEngine | undefined;

/** Starts the engine (the widget's assets are expected under `/va/` of this origin unless `assetBase`). */
async function start(options: HarnessOptions = {}): Promise<void> {
  const { keepAudio, assetBase, ...rest } = options;
  engine = new AudioEngine({ assetBase: assetBase ?? new URL("/va/", location.href).href, turn: {}, ...rest });
  engine.probe = {
    started: (at) => (log.startedFrame = at),
    frame: (samples, p, timing) => {
      log.frames++;
      log.probabilities.push(p);
      log.timings.push(timing);
      if (keepAudio) for (const v of samples) log.audio.push(v);
    },
    stopped: (report) => pendingStops.push(report),
    held: (report) => log.holds.push(report),
    decision: (kind, timing) => log.decisions.push({ kind, timing }),
  };
  log.sampleRate = engine.context.sampleRate;
  await engine.start({
    speechStart: () => log.speechStarts.push(log.frames),
    level: (db) => log.levels.push(db),
    // The engine calls probe.stopped just before bargeIn: attach that stop report.
    bargeIn: (report) => log.bargeIns.push({ ...report, stop: pendingStops.shift() }),
    utterance: (u: Utterance) => log.utterances.push({ startMs: u.startMs, endMs: u.endMs, samples: u.audio.length, contextFrame: now() }),
    error: (e) => log.errors.push(`${e.code}: ${e.message}`),
    pause: () => {},
    resume: () => {},
  });
  log.micSettings = engine.microphoneSettings;
  log.loopPath = engine.loopPath;
}
const pendingStops: StopReport[] = [];

function now(): number {
  return engine ? Math.round(engine.context.currentTime * engine.context.sampleRate) : 0;
}

/**
 * Streams a synthetic reply (a 220 Hz tone at −12 dBFS, 24 kHz 16-bit) in `chunkMs` chunks, as fast as
 * real time × `speed` on an absolute schedule (a late timer catches up, as a network stream would),
 * then ends it. Resolves with the drained (or stopped) report.
 */
async function playReply(replyId: number, seconds: number, chunkMs = 100, speed = 2): Promise<PlaybackReport> {
  const player = engine!.player!;
  const rate = 24_000;
  const total = Math.round(seconds * rate);
  const chunk = Math.round((chunkMs / 1000) * rate);
  const t0 = performance.now();
  for (let at = 0; at < total; at += chunk) {
    const pcm = new Int16Array(Math.min(chunk, total - at));
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * (at + i)) / rate));
    // Stopped by a barge-in: a real controller aborts the stream here.
    if (log.bargeIns.some((b) => b.replyId === replyId)) break;
    if (at === 0) log.replyStarts.push({ replyId, contextFrame: now() });
    player.enqueue(replyId, pcm);
    const due = t0 + ((at + chunk) / rate / speed) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
  }
  const report = await player.end(replyId);
  log.drained.push(report);
  return report;
}

/** What {@link playFedReply} saw: the playback report, the audio the feed reported, the stream's error. */
export interface FedReply {
  report: PlaybackReport;
  /** Audio of the stream queued for playback, ms (the feed's reports). */
  audioMs: number;
  error?: { code: string; message: string; retryAfterMs?: number | undefined; relayCode?: string | undefined };
}

export interface FedReplyOptions {
  /** Abort the stream (and stop playback) this many ms after the request, as a barge-in or hang-up does. */
  abortAfterMs?: number;
  /** Query of the request made after a renewal (the first one's answer names an expired token). */
  renewQuery?: string;
}

/**
 * Plays reply `replyId` the way the conversation does: the speech request (here the test server's
 * `/tone.pcm?<query>`, see server.ts) is handed to the player, whose audio loop fetches it and feeds the
 * playback worklet, and the reply's end is queued behind it. The main thread only hears of it.
 * Resolves with the drained (or stopped) report.
 */
async function playFedReply(replyId: number, query: string, options: FedReplyOptions = {}): Promise<FedReply> {
  const player = engine!.player!;
  const describe = (q: string) => ({
    url: new URL(`/tone.pcm?${q}`, location.href).href,
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  const abort = new AbortController();
  let audioMs = 0;
  let error: FedReply["error"];
  const played = player.playSpeech(replyId, describe(query), {
    signal: abort.signal,
    onAudio: (ms) => {
      if (audioMs === 0) log.replyStarts.push({ replyId, contextFrame: now() });
      audioMs += ms;
    },
    ...(options.renewQuery !== undefined ? { renew: async () => describe(options.renewQuery!) } : {}),
  });
  const ended = player.end(replyId);
  if (options.abortAfterMs !== undefined) {
    setTimeout(() => {
      abort.abort();
      void player.stop();
    }, options.abortAfterMs);
  }
  await played.catch((e: WidgetError | Error) => {
    error = e instanceof WidgetError ? e.toData() : { code: e.name, message: e.message };
  });
  const report = await ended;
  log.drained.push(report);
  return { report, audioMs, ...(error ? { error } : {}) };
}

/** Median and 99th percentile of `n` Silero inferences on noise frames, ms (a separate model instance). */
async function vadCost(n: number): Promise<{ p50: number; p99: number }> {
  const { loadBrowserSpeechModel } = await import("../../src/audio/browser-speech-model.ts");
  const model = await loadBrowserSpeechModel(new URL("/va/", location.href).href);
  const frame = new Float32Array(512);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < frame.length; k++) frame[k] = (Math.random() - 0.5) * 0.1;
    const t = performance.now();
    await model.probability(frame);
    times.push(performance.now() - t);
  }
  await model.release();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n / 2)]!, p99: times[Math.floor(n * 0.99)]! };
}

function stop(): void {
  engine?.close();
}

const api = {
  start,
  playReply,
  playFedReply,
  vadCost,
  stop,
  log,
  now,
  get engine() {
    return engine;
  },
};
(globalThis as unknown as { harness: typeof api }).harness = api;
export type Harness = typeof api;

if (document.body.dataset.autostart !== undefined) {
  const worker = document.body.dataset.autostart === "main-thread" ? "main-thread" : "auto";
  start({ microphone: { echoCancellation: false, noiseSuppression: false, autoGainControl: false }, worker }).then(
    () => (document.body.dataset.started = "yes"),
    (e: { code?: string; message?: string }) => log.errors.push(`${e.code}: ${e.message}`),
  );
}
