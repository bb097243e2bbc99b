/**
 * `pnpm --filter @voice-agent/widget bench`: the audio engine's figures in one run (≈ 4 minutes).
 * Resampler speed and quality vs sox; Silero cost per 32 ms frame in Node and in Chromium; barge-in
 * latency in Chromium (the fixture's known onset → playback output silenced by the hold, and → the
 * confirmed stop, 40 trials in a quiet room and 20 with pink noise, by stage); the misfire cost of holds (holds and held ms per
 * minute of noise or of the agent's own voice, offline); end-of-turn latency (known speech end →
 * utterance reported, minus the silence timeout) offline and in Chromium.
 * Needs the widget built (`pnpm build`) and sox.
 */
import { chromium } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-web/wasm";
import { writeBenchResults, type BenchRow } from "../../scripts/bench-report.ts";
import { loadSpeechModel } from "../src/audio/speech-model.ts";
import { Resampler } from "@voice-agent/dsp";
import { decodeWav, encodeWav } from "@voice-agent/dsp";
import { analyzeWavTimed, readVadModel } from "../src/node/analyze-wav.ts";
import { BARGE_IN_DEFAULTS } from "@voice-agent/dsp";
import { levelDb } from "@voice-agent/dsp";
import { resampleWhole, snrDb, toneLevelDb } from "../src/node/resampler-quality.ts";
import { fixture, withFakeMic } from "../test/browser/chromium.ts";
import type { Harness } from "../test/browser/harness.ts";
import { startServer } from "../test/browser/server.ts";
import { contextFrameOf, findLag, FRAME, quantile, stampJitter } from "../src/node/latency-timeline.ts";
import { bargeInOfflineRows } from "./barge-in-offline.ts";
import { hist, pinkNoise, round1 } from "./signals.ts";

const rows: BenchRow[] = [];
const tmp = await mkdtemp(join(tmpdir(), "audio-bench-"));

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

// --- barge-in offline: Silero at the onset, and the misfire cost of holds ------------------------------
await bargeInOfflineRows(rows);

// --- end of turn offline (algorithmic: frame quantization + Silero's tail) ----------------------------
{
  const known = (JSON.parse(await readFile(fixture("turns.json"), "utf8")) as { speech: [number, number][] }).speech;
  for (const name of ["turns.wav", "turns-noise10.wav"]) {
    const found = await analyzeWavTimed(await readFile(fixture(name)));
    // From the known speech end to the end of the frame that ended the turn, minus the timeout.
    const lat = found.map((u, i) => Math.round(u.decidedMs - known[i]![1] - 700));
    rows.push({ name: `end-of-turn latency offline, ${name} (mean)`, unit: "ms", value: lat.reduce((a, b) => a + b, 0) / lat.length, note: `per turn ${lat.join(", ")}; silence timeout excluded; algorithmic only (no transport)` });
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
  const meta = JSON.parse(await readFile(fixture("barge-in.json"), "utf8")) as { speechSamples: [number, number][]; periodSamples: number; sampleRate: number };
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
  await writeFile(noisyWav, encodeWav(long.map((v, i) => v + noise[i]! * noiseGain), 16_000));
  const detector = BARGE_IN_DEFAULTS;

  // The second session adds pink noise at 10 dB SNR: the /s/ is then too close to the floor for the level cue.
  const variants = [
    { label: "", turn: {}, wav, trials },
    { label: " [pink noise 10 dB SNR]", turn: {}, wav: noisyWav, trials: 20 },
  ];
  for (const variant of variants) {
    const server = await startServer();
    const browser = await chromium.launch(withFakeMic(variant.wav));
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      await page.waitForFunction(() => "harness" in globalThis);
      if (!variant.label) {
        const cost = await page.evaluate(() => (globalThis as unknown as { harness: Harness }).harness.vadCost(300));
        rows.push({ name: "VAD Silero v5 per 32 ms frame, Chromium (p50)", unit: "ms", value: cost.p50, note: `p99 ${cost.p99.toFixed(2)} ms; wasm, 1 thread` });
      }
      const { log, rate } = await page.evaluate(async ([trials, turn]) => {
        const h = (globalThis as unknown as { harness: Harness }).harness;
        await h.start({ keepAudio: true, sampleRate: 48_000, turn });
        let id = 1;
        const deadline = performance.now() + 20_000 + trials * 4000;
        while (h.log.bargeIns.length < trials && performance.now() < deadline) {
          await h.playReply(id++, 6, 100, 3);
          // A real agent does not start a reply while the visitor still speaks: wait out the burst.
          await new Promise((resolve) => setTimeout(resolve, 1500));
        }
        // let the last utterance close
        await new Promise((resolve) => setTimeout(resolve, 1500));
        h.stop();
        return { log: h.log, rate: h.engine!.context.sampleRate };
      }, [variant.trials, variant.turn] as const);
      if (log.errors.length) console.error(log.errors);
      const audio = log.audio;
      const { timings, probabilities } = log;
      const ms = (frames: number) => (frames / rate) * 1000;
      const resamplerDelay = new Resampler({ inRate: rate, outRate: 16_000 }).latencyInput; // context frames
      // Fake-device offset: global search on the first burst (±1 s), then per burst (±50 ms).
      const first = findLag(long, audio, bursts[0]!.on - 800, bursts[0]!.off + 800, -16_000, 16_000);
      const lags = bursts.map((b) => findLag(long, audio, b.on - 800, b.off + 800, first.lag - 800, first.lag + 800));
      // Context frame at which captured sample k entered the capture worklet.
      const ctx = (k: number) => contextFrameOf(k, timings, rate) - resamplerDelay;
      const onsets = bursts.map((b, i) => ({ i, k: b.on + lags[i]!.lag, at: ctx(b.on + lags[i]!.lag) }));
      const ends = bursts.map((b, i) => ({ i, k: b.off - 1 + lags[i]!.lag, at: ctx(b.off - 1 + lags[i]!.lag) + 1 }));
      // The former measurement, for comparison: first / last captured sample above 0.01.
      const levelOnset = (i: number) => {
        const from = Math.max(0, bursts[i]!.on + first.lag - 8000);
        for (let j = from; j < Math.min(audio.length, from + period); j++) if (Math.abs(audio[j]!) > 0.01) return j;
        return -1;
      };

      const confirms = log.decisions.filter((d) => d.kind === "confirm");
      const holdDecisions = log.decisions.filter((d) => d.kind === "hold");
      const releases = log.decisions.filter((d) => d.kind === "release");
      // Onset → output silenced by the first hold of that burst (what the visitor hears: the agent stops).
      let lateReplies = 0;
      /** A barge-in's stop, the decision that confirmed it and the burst onset before that decision. */
      const matched = (b: (typeof log.bargeIns)[number]) => {
        const stop = b.stop;
        if (!stop) return undefined;
        const confirm = confirms.filter((d) => d.timing.index * FRAME < audio.length && d.timing.decidedFrame <= stop.stopFrame + 128).pop();
        if (!confirm) return undefined;
        const onset = onsets.filter((o) => o.at <= confirm.timing.endFrame).pop();
        return onset && { stop, confirm, onset };
      };
      const held = log.bargeIns.flatMap((b) => {
        const match = matched(b);
        if (!match) return [];
        const { confirm, onset } = match;
        // The visitor spoke first (a loaded machine delayed the reply's start past the onset): no barge-in to time.
        const start = log.replyStarts.find((r) => r.replyId === b.replyId);
        if (start && start.contextFrame > onset.at) {
          lateReplies++;
          return [];
        }
        const first = holdDecisions.find((d) => d.timing.endFrame >= onset.at && d.timing.index <= confirm.timing.index);
        const hold = first && log.holds.find((h) => h.replyId === b.replyId && h.holdFrame + 128 >= first.timing.decidedFrame);
        if (!first || !hold || ms(hold.silencedAtFrame - onset.at) > 1000) return [];
        const onsetFrame = Math.floor(onset.k / FRAME);
        const t = first.timing;
        const stages = {
          "onset → its frame complete": timings[onsetFrame]!.endFrame - onset.at,
          [`→ holding frame complete (level onset, or Silero ≥ ${detector.holdThreshold})`]: t.endFrame - timings[onsetFrame]!.endFrame,
          "→ frame on main thread": t.receivedFrame - t.endFrame,
          "→ VAD + detector decision": t.decidedFrame - t.receivedFrame,
          "→ hold reaches playback worklet": hold.holdFrame - t.decidedFrame,
          "→ output silent (hold fade-out)": hold.silencedAtFrame - hold.holdFrame,
        };
        const resumed = releases.some((r) => r.timing.index > t.index && r.timing.index < confirm.timing.index);
        const around = Array.from({ length: t.index - onsetFrame + 1 }, (_, j) => `${probabilities[onsetFrame + j]!.toFixed(2)}@${levelDb(Float32Array.from(audio.slice((onsetFrame + j) * FRAME, (onsetFrame + j + 1) * FRAME)), 4).toFixed(0)}`);
        return [{ total: ms(hold.silencedAtFrame - onset.at), engine: ms(hold.silencedAtFrame - t.endFrame), stages, frame: t.index - onsetFrame, resumed, around }];
      });
      const barge = log.bargeIns.flatMap((b) => {
        const match = matched(b);
        if (!match) return [];
        const { stop, confirm, onset } = match;
        if (ms(stop.silencedAtFrame - onset.at) > 1000) return [];
        const onsetFrame = Math.floor(onset.k / FRAME);
        let confident = onsetFrame;
        while (confident < confirm.timing.index && probabilities[confident]! < detector.threshold) confident++;
        const t = confirm.timing;
        const stages = {
          "onset → its frame complete": timings[onsetFrame]!.endFrame - onset.at,
          "→ first frame ≥ 0.7 complete (Silero rise)": timings[confident]!.endFrame - timings[onsetFrame]!.endFrame,
          "→ confirming frame complete (detector)": t.endFrame - timings[confident]!.endFrame,
          "→ frame on main thread": t.receivedFrame - t.endFrame,
          "→ VAD + detector decision": t.decidedFrame - t.receivedFrame,
          "→ stop reaches playback worklet": stop.stopFrame - t.decidedFrame,
          "→ silent (at once when on hold)": stop.silencedAtFrame - stop.stopFrame,
        };
        const levelOn = levelOnset(onset.i);
        const probs = probabilities.slice(onsetFrame, confirm.timing.index + 1).map((p) => Math.round(p * 100) / 100);
        return [{ total: ms(stop.silencedAtFrame - onset.at), engine: ms(stop.silencedAtFrame - timings[confident]!.endFrame), stages, probs, oldMethodShiftMs: levelOn < 0 ? Number.NaN : (levelOn - onset.k) / 16 }];
      });
      const turnEnds = log.decisions.filter((d) => d.kind === "turn-end");
      const eot = turnEnds.flatMap((d, n) => {
        const u = log.utterances[n];
        const end = ends.filter((e) => e.at <= d.timing.endFrame).pop();
        if (!u || !end) return [];
        const endFrame = Math.floor(end.k / FRAME);
        const strong = Math.round(u.endMs / 32) - 1; // the last frame ≥ endThreshold (the reported end)
        const t = d.timing;
        const silence = (700 / 1000) * rate;
        const stages = {
          "speech end → its frame complete": timings[endFrame]!.endFrame - end.at,
          "→ reported end (last strong frame) complete": timings[strong]!.endFrame - timings[endFrame]!.endFrame,
          "→ silence timer frame complete − 700 ms": t.endFrame - timings[strong]!.endFrame - silence,
          "→ frame on main thread": t.receivedFrame - t.endFrame,
          "→ VAD + end-of-turn decision (utterance sent)": t.decidedFrame - t.receivedFrame,
        };
        return [{ total: ms(t.decidedFrame - end.at - silence), stages }];
      });

      const table = (xs: { total: number; stages: Record<string, number> }[]) =>
        Object.fromEntries(
          Object.keys(xs[0]?.stages ?? {}).map((k) => [k, { p5: round1(quantile(xs.map((x) => ms(x.stages[k]!)), 0.05)), p50: round1(quantile(xs.map((x) => ms(x.stages[k]!)), 0.5)), p95: round1(quantile(xs.map((x) => ms(x.stages[k]!)), 0.95)) }]),
        );
      const bargeMs = barge.map((b) => b.total);
      const eotMs = eot.map((e) => e.total);
      console.log(`--- Chromium session${variant.label} (uptime load ${loadavg()[0]!.toFixed(1)}) ---`);
      console.log(`barge-in breakdown (ms, ${barge.length} trials, context rate ${rate} Hz, fake-device lag ${first.lag} samples @16 kHz ± ${Math.max(...lags.map((l) => Math.abs(l.lag - first.lag)))}, min xcorr ${Math.min(...lags.map((l) => l.score)).toFixed(2)}, stamp jitter ${stampJitter(timings, rate)} frames):`);
      console.table(table(barge));
      console.log(`barge-in to hold breakdown (ms, ${held.length} trials):`);
      console.table(table(held));
      const transport = timings.map((t) => ms(t.receivedFrame - t.endFrame));
      const inference = timings.map((t) => ms(t.decidedFrame - t.receivedFrame));
      const pct = (xs: number[]) => `p50 ${round1(quantile(xs, 0.5))} p95 ${round1(quantile(xs, 0.95))} p99 ${round1(quantile(xs, 0.99))} max ${round1(Math.max(...xs))}`;
      console.log(`all ${timings.length} frames: capture → main thread ${pct(transport)}; → decided ${pct(inference)} (ms)`);
      console.log(`end-of-turn breakdown (ms, ${eot.length} turns):`);
      console.table(table(eot));
      console.log(JSON.stringify({ lags: lags.map((l) => l.lag), probs: barge.map((b) => b.probs) }));
      const heldMs = held.map((h) => h.total);
      for (const h of held.filter((x) => x.frame >= 2)) console.log(`late hold (frame ${h.frame}): probability@level from the onset's frame: ${h.around.join(" ")}`);
      console.log(JSON.stringify({ holdMs: heldMs.map(Math.round), holdFrame: held.map((h) => h.frame), bargeMs: bargeMs.map(Math.round), eotMs: eotMs.map(Math.round), oldOnsetShiftMs: barge.map((b) => Math.round(b.oldMethodShiftMs)) }));
      const stagesNote = (xs: { stages: Record<string, number> }[]) => Object.entries(table(xs as never)).map(([k, v]) => `${k} ${v.p50}`).join("; ");
      rows.push({ name: `barge-in latency Chromium p50 (known onset → output silenced by the hold)${variant.label}`, unit: "ms", value: quantile(heldMs, 0.5), note: `${held.length} trials; p50 stages: ${stagesNote(held)}` });
      rows.push({ name: `barge-in latency Chromium p95 (→ silenced by the hold)${variant.label}`, unit: "ms", value: quantile(heldMs, 0.95), note: `target ≤ 120; max ${round1(Math.max(...heldMs))}; hold at frame ${hist(held.map((h) => h.frame))} after the onset's; resumed before the stop in ${held.filter((h) => h.resumed).length} trials; ${lateReplies} left out (reply queued after the onset); context clock: browser capture buffering and <audio> output buffering not included` });
      const holdEngineMs = held.map((h) => h.engine);
      rows.push({ name: `barge-in engine part p50 (holding frame complete → output silent)${variant.label}`, unit: "ms", value: quantile(holdEngineMs, 0.5), note: `p95 ${round1(quantile(holdEngineMs, 0.95))} ms: delivery + inference + hold command + fade` });
      rows.push({ name: `barge-in latency Chromium p50 (known onset → confirmed stop; the former figure)${variant.label}`, unit: "ms", value: quantile(bargeMs, 0.5), note: `${barge.length} trials; p50 stages: ${stagesNote(barge)}` });
      rows.push({ name: `barge-in latency Chromium p95 (→ confirmed stop)${variant.label}`, unit: "ms", value: quantile(bargeMs, 0.95), note: "the reply is already silent (on hold) by then; this is when it is dropped and reported" });
      const engineMs = barge.map((b) => b.engine);
      rows.push({ name: `barge-in engine part p50 (first frame ≥ 0.7 complete → confirmed stop)${variant.label}`, unit: "ms", value: quantile(engineMs, 0.5), note: `p95 ${round1(quantile(engineMs, 0.95))} ms: confirmation + delivery + inference + stop` });
      rows.push({ name: `end-of-turn latency Chromium p50 (known speech end → utterance − 700 ms)${variant.label}`, unit: "ms", value: quantile(eotMs, 0.5), note: `${eot.length} turns; p50 stages: ${stagesNote(eot)}` });
      rows.push({ name: `end-of-turn latency Chromium p95${variant.label}`, unit: "ms", value: quantile(eotMs, 0.95), note: "target ≤ 40" });
    } finally {
      await browser.close();
      await server.close();
    }
  }
}
await writeBenchResults("audio", rows);
