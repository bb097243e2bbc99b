/**
 * Barge-in offline (Node): where Silero and the detector first react to the barge-in fixture's onset over
 * three backgrounds, and the misfire cost of holds (holds, held ms and false confirmations per minute) on
 * noise, clicks and the agent's own voice, open and closed loop; then the echo rows (echo-offline.ts:
 * simulated rooms and double talk, with and without the echo estimator).
 */
import * as ort from "onnxruntime-web/wasm";
import type { BenchRow } from "../../scripts/bench-report.ts";
import { loadSpeechModel } from "../src/audio/speech-model.ts";
import { BARGE_IN_DEFAULTS, BargeInDetector } from "@voice-agent/dsp";
import { levelDb } from "@voice-agent/dsp";
import { decodeWav } from "@voice-agent/dsp";
import { readVadModel } from "../tools/analyze-wav.ts";
import { replayBargeIn } from "../tools/barge-in-replay.ts";
import { quantile } from "../tools/latency-timeline.ts";
import { fixture } from "../test/browser/chromium.ts";
import { readFile } from "node:fs/promises";
import { echoOfflineRows } from "./echo-offline.ts";
import { clicks, hist, pinkNoise } from "./signals.ts";

/** Appends the offline barge-in rows to `rows`. */
export async function bargeInOfflineRows(rows: BenchRow[]): Promise<void> {
  const model = await loadSpeechModel(ort, await readVadModel());
  const levelsOf = (x: Float32Array) =>
    Array.from({ length: Math.floor(x.length / 512) }, (_, f) => levelDb(x.subarray(f * 512, f * 512 + 512), 4));
  const probabilitiesOf = async (x: Float32Array) => {
    model.reset();
    const p: number[] = [];
    for (let at = 0; at + 512 <= x.length; at += 512) p.push(await model.probability(x.subarray(at, at + 512)));
    return p;
  };
  // The burst's onset at 32 positions within its frame (every 16 samples), after 2 s of background:
  // which frame (0 = the one holding the onset) the detector holds at, and which first reaches the
  // confirmation threshold. Backgrounds: digital silence (the fixture's), room noise at −60 dBFS, and
  // pink noise at 10 dB SNR (too loud for the level cue: Silero alone).
  const meta = JSON.parse(await readFile(fixture("barge-in.json"), "utf8")) as { speechSamples: [number, number][] };
  const [on, off] = meta.speechSamples[0]!;
  const burst = decodeWav(await readFile(fixture("barge-in.wav"))).samples.subarray(on, off);
  const o = BARGE_IN_DEFAULTS;
  const turnsForLevel = decodeWav(await readFile(fixture("turns.wav"))).samples;
  const speechSpans = (JSON.parse(await readFile(fixture("turns.json"), "utf8")) as { speech: [number, number][] }).speech;
  const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
  const speechRms = rms(Float32Array.from(speechSpans.flatMap(([a, b]) => Array.from(turnsForLevel.subarray((a * 16) | 0, (b * 16) | 0)))));
  const pinkUnit = pinkNoise(16_000 * 120, 1);
  const pinkRms = rms(pinkUnit);
  for (const [label, noiseRms] of [
    ["digital silence", 0],
    ["room noise −60 dBFS", 10 ** (-60 / 20)],
    ["pink noise 10 dB SNR", speechRms / Math.sqrt(10)],
  ] as const) {
    const firstAt = { hold: [] as number[], strong: [] as number[] };
    for (let shift = 0; shift < 512; shift += 16) {
      const x = new Float32Array(32_000 + shift + burst.length);
      for (let i = 0; i < x.length; i++) x[i] = (pinkUnit[i]! / pinkRms) * noiseRms;
      for (let i = 0; i < burst.length; i++) x[32_000 + shift + i]! += burst[i]!;
      const p = await probabilitiesOf(x);
      const lv = levelsOf(x);
      const d = new BargeInDetector({ warmupMs: 0 });
      const f0 = Math.floor((32_000 + shift) / 512);
      let hold = -1;
      for (let f = 0; f < p.length && hold < 0; f++) if (d.process(p[f]!, true, lv[f]).kind !== "none" && f >= f0) hold = f - f0;
      firstAt.hold.push(hold);
      firstAt.strong.push(p.slice(f0).findIndex((v) => v >= o.threshold));
    }
    rows.push({
      name: `barge-in offline, ${label}: hold frame after the onset's (p95)`,
      unit: "frames",
      value: quantile(firstAt.hold, 0.95),
      note: `32 onset positions in the frame; hold at ${hist(firstAt.hold)}; first frame ≥ ${o.threshold} at ${hist(firstAt.strong)} (0 = the frame holding the onset)`,
    });
  }

  // Misfire cost: the detector (default options, past its warm-up) with a reply playing all the time.
  const turns = turnsForLevel;
  const noisy = decodeWav(await readFile(fixture("turns-noise10.wav"))).samples;
  const sets: [string, Float32Array, string][] = [
    [
      "pink noise at 10 dB SNR, 120 s",
      pinkUnit.map((v) => (v / pinkRms) * (speechRms / Math.sqrt(10))),
      "the turns fixtures' noise level (10 dB below their speech)",
    ],
    [
      "turns-noise10.wav's own noise (speech subtracted), 10.5 s",
      noisy.map((v, i) => v - turns[i]!),
      "the fixture's pink noise, without its speech",
    ],
    [
      "keyboard-like clicks over −60 dBFS room noise, 60 s",
      clicks(16_000 * 60, pinkUnit, pinkRms),
      "5 ms decaying noise bursts at −10 dBFS peak, every 80–300 ms",
    ],
    [
      "the agent's own TTS voice, −30 dB (turns.wav), 10.5 s",
      turns.map((v) => v * 0.0316),
      "echo that the echo canceller let through, with digital silence between sentences: Silero scores speech alike at any level",
    ],
  ];
  for (const [label, x, note] of sets) {
    const p = await probabilitiesOf(x);
    const minutes = (p.length * 32) / 60_000;
    const r = replayBargeIn(p, levelsOf(x), { warmupMs: 0 });
    const silero = replayBargeIn(p, undefined, { warmupMs: 0 });
    rows.push({
      name: `barge-in misfires on ${label}: holds`,
      unit: "holds/min",
      value: r.holds / minutes,
      note: `held ${Math.round((r.heldFrames * 32) / minutes)} ms/min; false confirmations ${(r.confirms / minutes).toFixed(1)}/min; Silero cue alone ${(silero.holds / minutes).toFixed(1)} holds/min; max probability ${Math.max(...p).toFixed(3)}; ${note}`,
    });
    rows.push({ name: `barge-in misfires on ${label}: held`, unit: "ms/min", value: (r.heldFrames * 32) / minutes });
  }

  // Closed loop: the reply's residual echo (−20 dB echo path) over room noise at −60 dBFS reaches the
  // mic only while the reply is not on hold, as in a room. The harness's reply (a 220 Hz tone at
  // −12 dBFS, which Silero does not score as speech) and the agent's TTS voice (turns.wav, looped).
  const room = pinkUnit.map((v) => (v / pinkRms) * 10 ** (-60 / 20));
  const tone = Float32Array.from({ length: 16_000 * 60 }, (_, i) => 0.25 * Math.sin((2 * Math.PI * 220 * i) / 16_000));
  const voice = Float32Array.from({ length: 16_000 * 60 }, (_, i) => turns[i % turns.length]!);
  for (const [label, reply] of [
    ["tone reply", tone],
    ["TTS voice reply", voice],
  ] as const) {
    model.reset();
    const d = new BargeInDetector({ warmupMs: 0 });
    const frame = new Float32Array(512);
    let held = false;
    let holds = 0;
    let heldFrames = 0;
    let confirms = 0;
    const n = Math.floor(reply.length / 512);
    for (let f = 0; f < n; f++) {
      for (let i = 0; i < 512; i++) frame[i] = room[f * 512 + i]! + (held ? 0 : reply[f * 512 + i]! * 0.1);
      const k = d.process(await model.probability(frame), true, levelDb(frame, 4)).kind;
      if (held) heldFrames++;
      if (k === "hold") {
        held = true;
        holds++;
      } else if (k === "release") held = false;
      else if (k === "confirm") {
        held = false;
        confirms++;
        d.rearm();
      }
    }
    const minutes = (n * 32) / 60_000;
    rows.push({
      name: `barge-in misfires, closed loop, residual echo of a ${label} (−20 dB) over −60 dBFS room noise: holds`,
      unit: "holds/min",
      value: holds / minutes,
      note: `held ${Math.round((heldFrames * 32) / minutes)} ms/min; false confirmations ${(confirms / minutes).toFixed(1)}/min; the echo stops while the reply is held; after a misfire a hold needs echoMarginDb more level for the rest of the reply`,
    });
  }
  await echoOfflineRows(rows, model);
  await model.release();
}
