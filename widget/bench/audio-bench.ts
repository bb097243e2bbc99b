/**
 * `pnpm --filter @voice-agent/widget bench`: the audio engine's figures in one run (≈ 15 minutes).
 * Resampler speed and quality vs sox; Silero cost per 32 ms frame in Node and in Chromium; barge-in
 * latency in Chromium (the fixture's known onset → playback output silenced by the hold, and → the
 * confirmed stop, 40 trials in a quiet room and 20 with pink noise, by stage; then on host pages whose
 * main thread runs long tasks, with the audio loop in its Worker and, as the baseline, on the main
 * thread, with replies streamed at real time counted for underruns); the misfire cost of holds (holds and held ms per
 * minute of noise or of the agent's own voice, offline); end-of-turn latency (known speech end →
 * utterance reported, minus the silence timeout) offline and in Chromium.
 * Needs the widget built (`pnpm build`), the audio harness (`pnpm run build:harness`, which the `bench` script runs) and sox.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-web/wasm";
import { writeBenchResults, type BenchRow } from "../../scripts/bench-report.ts";
import { loadSpeechModel } from "../src/audio/speech-model.ts";
import { Resampler } from "@voice-agent/dsp";
import { decodeWav, encodeWav } from "@voice-agent/dsp";
import { analyzeWavTimed, readVadModel } from "../tools/analyze-wav.ts";
import { resampleWhole, snrDb, toneLevelDb } from "../tools/resampler-quality.ts";
import { fixture } from "../test/browser/chromium.ts";
import { quantile } from "../tools/latency-timeline.ts";
import { bargeInOfflineRows } from "./barge-in-offline.ts";
import { chromiumSession, type SessionResult, type SessionVariant } from "./chromium-session.ts";
import { pinkNoise, round1 } from "./signals.ts";

const rows: BenchRow[] = [];
/** The label of the Chromium session with pink noise. */
const PINK = " [pink noise 10 dB SNR]";
const tmp = await mkdtemp(join(tmpdir(), "audio-bench-"));

// --- resampler speed: 60 s of noise in 128-sample quanta, as the capture worklet does ---------------
for (const [inRate, outRate] of [
  [48_000, 16_000],
  [44_100, 16_000],
  [24_000, 48_000],
] as const) {
  const input = Float32Array.from({ length: inRate * 60 }, () => Math.random() - 0.5);
  const r = new Resampler({ inRate, outRate });
  const out = new Float32Array(r.maxOutput(128));
  const t = performance.now();
  for (let at = 0; at + 128 <= input.length; at += 128) r.process(input.subarray(at, at + 128), out);
  const seconds = (performance.now() - t) / 1000;
  let soxX: number | undefined;
  const inFile = join(tmp, `noise-${inRate}.wav`);
  await writeFile(inFile, encodeWav(input, inRate));
  const ts = performance.now();
  if (spawnSync("sox", [inFile, "-r", String(outRate), join(tmp, "out.wav"), "rate", "-v"]).status === 0)
    soxX = 60 / ((performance.now() - ts) / 1000);
  rows.push({
    name: `resampler ${inRate / 1000}→${outRate / 1000} kHz speed`,
    unit: "x realtime",
    value: 60 / seconds,
    baseline: soxX,
    note: "baseline: sox rate -v (whole file, incl. process start)",
  });
}

// --- resampler quality vs sox -------------------------------------------------------------------------
{
  const input = decodeWav(await readFile(fixture("chirp48k.wav")));
  const sox = decodeWav(await readFile(fixture("chirp48k-sox16k.wav")));
  rows.push({
    name: "resampler 48→16 kHz SNR vs sox -v (50 Hz–7 kHz sweep)",
    unit: "dB",
    value: snrDb(resampleWhole(input.samples, 48_000, 16_000), sox.samples, 400),
    note: "target ≥ 60",
  });
  const tone = Float32Array.from({ length: 48_000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 10_000 * i) / 48_000));
  const ref = 20 * Math.log10(0.5);
  const ours = toneLevelDb(resampleWhole(tone, 48_000, 16_000).subarray(800, 15_200), 16_000, 6000) - ref;
  let soxLevel: number | undefined;
  await writeFile(join(tmp, "tone.wav"), encodeWav(tone, 48_000));
  if (
    spawnSync("sox", [join(tmp, "tone.wav"), "-r", "16000", "-b", "32", "-e", "float", join(tmp, "tone16.wav"), "rate", "-v"]).status === 0
  ) {
    soxLevel = toneLevelDb(decodeWav(await readFile(join(tmp, "tone16.wav"))).samples.subarray(800, 15_200), 16_000, 6000) - ref;
  }
  rows.push({
    name: "resampler 10 kHz tone 48→16 kHz (alias at 6 kHz)",
    unit: "dB",
    value: ours,
    baseline: soxLevel,
    note: "target ≤ −70; baseline: sox rate -v",
  });
}

// --- VAD cost in Node ---------------------------------------------------------------------------------
{
  const model = await loadSpeechModel(ort, await readVadModel());
  const { samples } = decodeWav(await readFile(fixture("turns.wav")));
  const times: number[] = [];
  for (let at = 0; at + 512 <= samples.length; at += 512) {
    const t = performance.now();
    await model.probability(samples.subarray(at, at + 512));
    times.push(performance.now() - t);
  }
  await model.release();
  rows.push({
    name: "VAD Silero v5 per 32 ms frame, Node (p50)",
    unit: "ms",
    value: quantile(times, 0.5),
    note: `p99 ${quantile(times, 0.99).toFixed(2)} ms; onnxruntime-web wasm, 1 thread`,
  });
}

// --- barge-in offline: Silero at the onset, and the misfire cost of holds ------------------------------
await bargeInOfflineRows(rows);

// --- end of turn offline (algorithmic: frame quantization + Silero's tail) ----------------------------
{
  const known = (JSON.parse(await readFile(fixture("turns.json"), "utf8")) as { speech: [number, number][] }).speech;
  for (const name of ["turns.wav", "turns-noise10.wav"]) {
    const found = await analyzeWavTimed(await readFile(fixture(name)));
    // From the known speech end to the end of the frame that ended the turn, minus the timeout.
    const lat = found.map((u, i) => Math.round(u.decidedMs - known[i]![1] - 700));
    rows.push({
      name: `end-of-turn latency offline, ${name} (mean)`,
      unit: "ms",
      value: lat.reduce((a, b) => a + b, 0) / lat.length,
      note: `per turn ${lat.join(", ")}; silence timeout excluded; algorithmic only (no transport)`,
    });
  }
}

// --- Chromium: VAD cost, barge-in latency, end-of-turn latency -----------------------------------------
// One clock: the AudioContext's. The fixture's known speech positions are located in the captured stream
// by cross-correlation (the fake device starts the file when capture opens, at an offset measured per
// trial), captured samples map to context frames through the capture worklet's per-frame stamps (minus
// the resampler's delay), and "silenced" is the playback worklet's frame where the fade-out of the hold
// (the headline figure) or of the confirmed stop (the former figure) completed.
// Not on this clock: the browser's capture buffering before the graph and the <audio> element's output
// buffering after it.
{
  // The quiet-room session, the headline, runs 40 trials so that its p95 is not just the slowest one.
  const trials = 40;
  const meta = JSON.parse(await readFile(fixture("barge-in.json"), "utf8")) as {
    speechSamples: [number, number][];
    periodSamples: number;
    sampleRate: number;
  };
  if (meta.sampleRate !== 16_000) throw new Error("barge-in.json: expected a 16 kHz fixture");
  const { samples } = decodeWav(await readFile(fixture("barge-in.wav")));
  // The lead (silence), then the first burst + gap tiled `trials` times.
  const [lead, leadEnd] = meta.speechSamples[0]!;
  const speechLen = leadEnd - lead;
  const period = meta.periodSamples;
  const long = new Float32Array(lead + period * trials + 16_000);
  for (let i = 0; i < trials; i++) long.set(samples.subarray(lead, lead + period), lead + i * period);
  const bursts = Array.from({ length: trials }, (_, i) => ({ on: lead + i * period, off: lead + i * period + speechLen }));
  const wav = join(tmp, "barge-in-tiled.wav");
  await writeFile(wav, encodeWav(long, 16_000));
  // The same with pink noise at 10 dB SNR (10 dB below the burst's speech power) throughout.
  const noisyWav = join(tmp, "barge-in-tiled-noise10.wav");
  const burstRms = Math.sqrt(samples.subarray(lead, leadEnd).reduce((a, v) => a + v * v, 0) / speechLen);
  const noise = pinkNoise(long.length, 3);
  const noiseGain = burstRms / Math.sqrt(noise.reduce((a, v) => a + v * v, 0) / noise.length) / Math.sqrt(10);
  await writeFile(
    noisyWav,
    encodeWav(
      long.map((v, i) => v + noise[i]! * noiseGain),
      16_000,
    ),
  );

  // The second session adds pink noise at 10 dB SNR: the /s/ is then too close to the floor for the level cue.
  // The audio loop in its Worker (the default) and, as the baseline, on the main thread; on a quiet host
  // page and on pages whose main thread runs long tasks (issue 14: L ms every P ms).
  const busy = (l: number, p: number, mainThread = false) => ` [host busy ${l}/${p} ms${mainThread ? ", main thread" : ""}]`;
  const variants: SessionVariant[] = [
    { label: "", wav, trials, vadCost: true, realtimeReplies: 10 },
    { label: " [main thread]", wav, trials: 15, worker: "main-thread" },
    { label: PINK, wav: noisyWav, trials: 20 },
    ...(
      [
        [100, 250],
        [200, 500],
      ] as const
    ).flatMap(([l, p]) => [
      { label: busy(l, p), wav, trials: 30, busy: [l, p] as [number, number], realtimeReplies: 10 },
      { label: busy(l, p, true), wav, trials: 15, busy: [l, p] as [number, number], worker: "main-thread" as const, realtimeReplies: 10 },
    ]),
  ];
  const results = new Map<string, SessionResult>();
  for (const variant of variants) {
    const result = await chromiumSession(variant, { long, bursts, period });
    rows.push(...result.rows);
    results.set(variant.label, result);
  }
  rows.push(...keyedRows(results, busy));
}
await writeBenchResults("audio", rows);

/**
 * The figures of issue 14 under stable keys: each from the Worker sessions, with the same figure of the
 * main-thread session as the baseline.
 */
function keyedRows(results: Map<string, SessionResult>, busy: (l: number, p: number, mainThread?: boolean) => string): BenchRow[] {
  const get = (label: string) => {
    const result = results.get(label);
    if (!result) throw new Error(`no Chromium session ${JSON.stringify(label)}`);
    return result;
  };
  const p95 = (xs: number[]) => round1(quantile(xs, 0.95));
  const idle = get("");
  const idleMain = get(" [main thread]");
  const where = (r: SessionResult) => `audio loop: ${r.loopPath}`;
  const fed = "2 s replies streamed at real time by the test server, fetched and fed to playback by the audio loop's speech feed";
  const out: BenchRow[] = [
    {
      key: "hold_p95_idle_ms",
      name: "hold → silent p95, quiet host page",
      unit: "ms",
      value: p95(idle.heldMs),
      baseline: p95(idleMain.heldMs),
      trials: idle.heldMs.length,
      note: `${where(idle)}; baseline: the loop on the main thread (${idleMain.heldMs.length} trials)`,
    },
    {
      key: "eot_p95_idle_ms",
      name: "end of turn p95, quiet host page",
      unit: "ms",
      value: p95(idle.eotMs),
      baseline: p95(idleMain.eotMs),
      trials: idle.eotMs.length,
      note: `${where(idle)}; baseline: the loop on the main thread; target ≤ 40`,
    },
    {
      key: "confirmed_stop_p95_ms",
      name: "onset → confirmed stop p95, quiet host page",
      unit: "ms",
      value: p95(idle.bargeMs),
      baseline: p95(idleMain.bargeMs),
      trials: idle.bargeMs.length,
      note: "target ≤ 300 in every run; baseline: the loop on the main thread",
    },
    {
      key: "hold_p95_pink10db_ms",
      name: "hold → silent p95, pink noise 10 dB SNR",
      unit: "ms",
      value: p95(get(PINK).heldMs),
      trials: get(PINK).heldMs.length,
      note: "target ≤ 120",
    },
    {
      key: "underrun_replies_realtime_idle",
      name: "replies streamed at real time with an underrun, quiet host page",
      unit: "replies",
      value: idle.underrunReplies,
      trials: idle.replies,
      note: `${where(idle)}; ${fed}`,
    },
  ];
  for (const [l, p] of [
    [100, 250],
    [200, 500],
  ] as const) {
    const worker = get(busy(l, p));
    const main = get(busy(l, p, true));
    const note = `host runs ${l} ms of work every ${p} ms; ${where(worker)}; baseline: the loop on the main thread`;
    out.push(
      {
        key: `hold_p95_busy_${l}_${p}_ms`,
        name: `hold → silent p95, host busy ${l}/${p} ms`,
        unit: "ms",
        value: p95(worker.heldMs),
        baseline: p95(main.heldMs),
        trials: worker.heldMs.length,
        note: `${note}; target ≤ 80`,
      },
      {
        key: `eot_p95_busy_${l}_${p}_ms`,
        name: `end of turn p95, host busy ${l}/${p} ms`,
        unit: "ms",
        value: p95(worker.eotMs),
        baseline: p95(main.eotMs),
        trials: worker.eotMs.length,
        note: `${note}; target ≤ 40`,
      },
      {
        key: `underrun_replies_realtime_busy_${l}_${p}`,
        name: `replies streamed at real time with an underrun, host busy ${l}/${p} ms`,
        unit: "replies",
        value: worker.underrunReplies,
        baseline: main.underrunReplies,
        trials: worker.replies,
        note: `${note}; ${fed}; target 0`,
      },
    );
  }
  return out;
}
