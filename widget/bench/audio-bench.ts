/**
 * `pnpm --filter @voice-agent/widget bench`: the audio engine's figures in one run (≈ 2 minutes).
 * Resampler speed and quality vs sox; Silero cost per 32 ms frame in Node and in Chromium; barge-in
 * latency in Chromium (spoken onset as captured → playback output silenced, 20 trials); end-of-turn
 * latency (speech end → utterance reported, minus the silence timeout) offline and in Chromium.
 * Needs the widget built (`pnpm build`) and sox.
 */
import { chromium } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-web/wasm";
import { writeBenchResults, type BenchRow } from "../../scripts/bench-report.ts";
import { loadSpeechModel } from "../src/audio/speech-model.ts";
import { Resampler } from "../src/dsp/resampler.ts";
import { decodeWav, encodeWav } from "../src/dsp/wav.ts";
import { analyzeWav, readVadModel } from "../src/node/analyze-wav.ts";
import { resampleWhole, snrDb, toneLevelDb } from "../src/node/resampler-quality.ts";
import { fixture, withFakeMic } from "../test/browser/chromium.ts";
import type { Harness } from "../test/browser/harness.ts";
import { startServer } from "../test/browser/server.ts";

const rows: BenchRow[] = [];
const tmp = await mkdtemp(join(tmpdir(), "audio-bench-"));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

// --- resampler speed: 60 s of noise in 128-sample quanta, as the capture worklet does ---------------
for (const [inRate, outRate] of [[48_000, 16_000], [44_100, 16_000], [24_000, 48_000]] as const) {
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
  if (spawnSync("sox", [inFile, "-r", String(outRate), join(tmp, "out.wav"), "rate", "-v"]).status === 0) soxX = 60 / ((performance.now() - ts) / 1000);
  rows.push({ name: `resampler ${inRate / 1000}→${outRate / 1000} kHz speed`, unit: "x realtime", value: 60 / seconds, baseline: soxX, note: "baseline: sox rate -v (whole file, incl. process start)" });
}

// --- resampler quality vs sox -------------------------------------------------------------------------
{
  const input = decodeWav(await readFile(fixture("chirp48k.wav")));
  const sox = decodeWav(await readFile(fixture("chirp48k-sox16k.wav")));
  rows.push({ name: "resampler 48→16 kHz SNR vs sox -v (50 Hz–7 kHz sweep)", unit: "dB", value: snrDb(resampleWhole(input.samples, 48_000, 16_000), sox.samples, 400), note: "target ≥ 60" });
  const tone = Float32Array.from({ length: 48_000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 10_000 * i) / 48_000));
  const ref = 20 * Math.log10(0.5);
  const ours = toneLevelDb(resampleWhole(tone, 48_000, 16_000).subarray(800, 15_200), 16_000, 6000) - ref;
  let soxLevel: number | undefined;
  await writeFile(join(tmp, "tone.wav"), encodeWav(tone, 48_000));
  if (spawnSync("sox", [join(tmp, "tone.wav"), "-r", "16000", "-b", "32", "-e", "float", join(tmp, "tone16.wav"), "rate", "-v"]).status === 0) {
    soxLevel = toneLevelDb(decodeWav(await readFile(join(tmp, "tone16.wav"))).samples.subarray(800, 15_200), 16_000, 6000) - ref;
  }
  rows.push({ name: "resampler 10 kHz tone 48→16 kHz (alias at 6 kHz)", unit: "dB", value: ours, baseline: soxLevel, note: "target ≤ −70; baseline: sox rate -v" });
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
  rows.push({ name: "VAD Silero v5 per 32 ms frame, Node (p50)", unit: "ms", value: quantile(times, 0.5), note: `p99 ${quantile(times, 0.99).toFixed(2)} ms; onnxruntime-web wasm, 1 thread` });
}

// --- end of turn offline (algorithmic: frame quantization + Silero's tail) ----------------------------
{
  const known = (JSON.parse(await readFile(fixture("turns.json"), "utf8")) as { speech: [number, number][] }).speech;
  for (const name of ["turns.wav", "turns-noise10.wav"]) {
    const found = await analyzeWav(await readFile(fixture(name)));
    // turn-end fires at the end of the frame that completes silenceMs after the last speech frame
    const lat = found.map((u, i) => Math.ceil(700 / 32) * 32 + lastSpeechFrameEnd(u.endMs) - known[i]![1] - 700);
    rows.push({ name: `end-of-turn latency offline, ${name} (mean)`, unit: "ms", value: lat.reduce((a, b) => a + b, 0) / lat.length, note: `per turn ${lat.join(", ")}; silence timeout excluded; algorithmic only` });
  }
}
function lastSpeechFrameEnd(endMs: number): number {
  return endMs; // endMs is already the end of the last strong speech frame
}

// --- Chromium: VAD cost, barge-in latency, end-of-turn latency -----------------------------------------
{
  const trials = 20;
  const meta = JSON.parse(await readFile(fixture("barge-in.json"), "utf8")) as { onsetsMs: number[]; periodMs: number };
  const { samples } = decodeWav(await readFile(fixture("barge-in.wav")));
  // 3 s lead, then the first burst + gap tiled `trials` times.
  const lead = (meta.onsetsMs[0]! / 1000) * 16_000;
  const period = Math.round((meta.periodMs / 1000) * 16_000);
  const long = new Float32Array(lead + period * trials + 16_000);
  for (let i = 0; i < trials; i++) long.set(samples.subarray(lead, lead + period), lead + i * period);
  const wav = join(tmp, "barge-in-20.wav");
  await writeFile(wav, encodeWav(long, 16_000));

  const server = await startServer();
  const browser = await chromium.launch(withFakeMic(wav));
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "harness" in globalThis);
    const cost = await page.evaluate(() => (globalThis as unknown as { harness: Harness }).harness.vadCost(300));
    rows.push({ name: "VAD Silero v5 per 32 ms frame, Chromium (p50)", unit: "ms", value: cost.p50, note: `p99 ${cost.p99.toFixed(2)} ms; wasm, 1 thread` });
    const result = await page.evaluate(async (trials) => {
      const h = (globalThis as unknown as { harness: Harness }).harness;
      await h.start({ keepAudio: true, sampleRate: 48_000 });
      let id = 1;
      const deadline = performance.now() + 100_000;
      while (h.log.bargeIns.length < trials && performance.now() < deadline) {
        await h.playReply(id++, 6, 100, 3);
        // A real agent does not start a reply while the visitor still speaks: wait out the burst.
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
      // let the last utterance close
      await new Promise((resolve) => setTimeout(resolve, 1500));
      h.stop();
      return { log: { ...h.log, probabilities: [] }, rate: h.engine!.context.sampleRate };
    }, trials);
    const { log, rate } = result;
    // True onsets and ends as captured: first / last sample above −40 dBFS around each burst.
    const audio = log.audio;
    const edges: { on: number; off: number }[] = [];
    for (let i = 0; i < trials; i++) {
      const from = lead + i * period - 8000;
      let on = -1;
      let off = -1;
      for (let j = Math.max(0, from); j < Math.min(audio.length, from + period); j++) {
        if (Math.abs(audio[j]!) > 0.01) {
          if (on < 0) on = j;
          off = j;
        }
      }
      edges.push({ on, off });
    }
    const toFrame = (j: number) => log.startedFrame! + (j / 16_000) * rate;
    const bargeMs = log.bargeIns.filter((b) => b.stop).map((b) => {
      const at = b.stop!.silencedAtFrame;
      // the latest onset before the silencing
      const onset = edges.filter((e) => e.on >= 0).map((e) => toFrame(e.on)).filter((f) => f <= at).pop()!;
      return ((at - onset) / rate) * 1000;
    });
    rows.push({ name: "barge-in latency Chromium p50 (onset → output silenced)", unit: "ms", value: quantile(bargeMs, 0.5), note: `${bargeMs.length} trials; defaults (threshold 0.7, duck 1 frame, confirm 64 ms)` });
    rows.push({ name: "barge-in latency Chromium p95", unit: "ms", value: quantile(bargeMs, 0.95), note: "target ≤ 120; + <audio> element buffering not included" });
    const eot = log.utterances.map((u) => {
      const end = edges.filter((e) => e.off >= 0).map((e) => toFrame(e.off)).filter((f) => f <= u.contextFrame).pop()!;
      return ((u.contextFrame - end) / rate) * 1000 - 700;
    });
    rows.push({ name: "end-of-turn latency Chromium p50 (speech end → utterance − 700 ms)", unit: "ms", value: quantile(eot, 0.5), note: `p95 ${quantile(eot, 0.95).toFixed(0)} ms over ${eot.length} turns; target ≤ 40` });
    if (log.errors.length) console.error(log.errors);
    console.log(JSON.stringify({ bargeMs: bargeMs.map(Math.round), eot: eot.map(Math.round), found: edges.filter((e) => e.on >= 0).length }));
  } finally {
    await browser.close();
    await server.close();
  }
}

await writeBenchResults("audio", rows);
