/**
 * One Chromium session of the audio bench: the tiled barge-in fixture as the fake mic, a reply playing
 * at each burst, then (optionally) replies streamed at real time from the network through the audio
 * loop's speech feed, as the conversation plays them; on a quiet host page or one whose main
 * thread runs a long task of `busy[0]` ms every `busy[1]` ms, with the audio loop in its Worker or on the
 * main thread. Times are on the AudioContext's clock (see audio-bench.ts).
 */
import { chromium } from "@playwright/test";
import { loadavg } from "node:os";
import { BARGE_IN_DEFAULTS, levelDb, Resampler } from "@voice-agent/dsp";
import type { BenchRow } from "../../scripts/bench-report.ts";
import { withFakeMic } from "../test/browser/chromium.ts";
import type { Harness } from "../test/browser/harness.ts";
import { startServer } from "../test/browser/server.ts";
import { contextFrameOf, findLag, FRAME, quantile, stampJitter } from "../tools/latency-timeline.ts";
import { hist, round1 } from "./signals.ts";

/** What one session runs. */
export interface SessionVariant {
  /** Appended to the rows' names, e.g. " [host busy 100/250 ms]". */
  label: string;
  /** The fake mic's WAV (the tiled fixture). */
  wav: string;
  trials: number;
  turn?: Record<string, number>;
  /** Where the audio loop runs (default `auto`: its Worker). */
  worker?: "auto" | "main-thread";
  /** The host page's long task: [ms, every ms]. */
  busy?: [number, number];
  /** Replies of 2 s streamed at real time after the trials (the test server's tone, through the speech feed). */
  realtimeReplies?: number;
  /** Also measure Silero's cost per frame on the main thread. */
  vadCost?: boolean;
}

/** The tiled fixture: its samples and where each burst of speech is. */
export interface TiledFixture {
  long: Float32Array;
  bursts: { on: number; off: number }[];
  period: number;
}

/** Per-trial figures (ms) and the session's rows. */
export interface SessionResult {
  rows: BenchRow[];
  heldMs: number[];
  bargeMs: number[];
  eotMs: number[];
  /** Replies streamed at real time that ran dry at least once, of `replies`. */
  underrunReplies: number;
  replies: number;
  loopPath: string | undefined;
}

/** Runs one session. */
export async function chromiumSession(variant: SessionVariant, { long, bursts, period }: TiledFixture): Promise<SessionResult> {
  const rows: BenchRow[] = [];
  const detector = BARGE_IN_DEFAULTS;
  const server = await startServer();
  const browser = await chromium.launch(withFakeMic(variant.wav));
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => "harness" in globalThis);
    if (variant.vadCost) {
      const cost = await page.evaluate(() => (globalThis as unknown as { harness: Harness }).harness.vadCost(300));
      rows.push({
        name: "VAD Silero v5 per 32 ms frame, Chromium (p50)",
        unit: "ms",
        value: cost.p50,
        note: `p99 ${cost.p99.toFixed(2)} ms; wasm, 1 thread`,
      });
    }
    const { log, rate, replies } = await page.evaluate(
      async ([trials, turn, worker, busy, realtimeReplies]) => {
        const h = (globalThis as unknown as { harness: Harness }).harness;
        // A host page that runs a long task of busy[0] ms every busy[1] ms on its main thread.
        if (busy)
          setInterval(() => {
            const until = performance.now() + busy[0];
            while (performance.now() < until);
          }, busy[1]);
        await h.start({ keepAudio: true, sampleRate: 48_000, turn, worker });
        let id = 1;
        const deadline = performance.now() + 20_000 + trials * 4000;
        while (h.log.bargeIns.length < trials && performance.now() < deadline) {
          await h.playReply(id++, 6, 100, 3);
          // A real agent does not start a reply while the visitor still speaks: wait out the burst.
          await new Promise((resolve) => setTimeout(resolve, 1500));
        }
        // let the last utterance close
        await new Promise((resolve) => setTimeout(resolve, 1500));
        // The fixture is over (silence): replies of 2 s, streamed by the test server at real time in 20 ms
        // network pieces, fetched and fed to playback by the audio loop as the conversation's are.
        const replies = [];
        for (let i = 0; i < realtimeReplies; i++) replies.push((await h.playFedReply(10_000 + i, "seconds=2")).report);
        h.stop();
        return { log: h.log, rate: h.engine!.context.sampleRate, replies };
      },
      [variant.trials, variant.turn ?? {}, variant.worker ?? "auto", variant.busy ?? null, variant.realtimeReplies ?? 0] as const,
    );
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
      const around = Array.from(
        { length: t.index - onsetFrame + 1 },
        (_, j) =>
          `${probabilities[onsetFrame + j]!.toFixed(2)}@${levelDb(Float32Array.from(audio.slice((onsetFrame + j) * FRAME, (onsetFrame + j + 1) * FRAME)), 4).toFixed(0)}`,
      );
      return [
        {
          total: ms(hold.silencedAtFrame - onset.at),
          engine: ms(hold.silencedAtFrame - t.endFrame),
          stages,
          frame: t.index - onsetFrame,
          resumed,
          around,
        },
      ];
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
      return [
        {
          total: ms(stop.silencedAtFrame - onset.at),
          engine: ms(stop.silencedAtFrame - timings[confident]!.endFrame),
          stages,
          probs,
          oldMethodShiftMs: levelOn < 0 ? Number.NaN : (levelOn - onset.k) / 16,
        },
      ];
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
        Object.keys(xs[0]?.stages ?? {}).map((k) => [
          k,
          {
            p5: round1(
              quantile(
                xs.map((x) => ms(x.stages[k]!)),
                0.05,
              ),
            ),
            p50: round1(
              quantile(
                xs.map((x) => ms(x.stages[k]!)),
                0.5,
              ),
            ),
            p95: round1(
              quantile(
                xs.map((x) => ms(x.stages[k]!)),
                0.95,
              ),
            ),
          },
        ]),
      );
    const bargeMs = barge.map((b) => b.total);
    const eotMs = eot.map((e) => e.total);
    console.log(`--- Chromium session${variant.label} (uptime load ${loadavg()[0]!.toFixed(1)}) ---`);
    console.log(
      `barge-in breakdown (ms, ${barge.length} trials, context rate ${rate} Hz, fake-device lag ${first.lag} samples @16 kHz ± ${Math.max(...lags.map((l) => Math.abs(l.lag - first.lag)))}, min xcorr ${Math.min(...lags.map((l) => l.score)).toFixed(2)}, stamp jitter ${stampJitter(timings, rate)} frames):`,
    );
    console.table(table(barge));
    console.log(`barge-in to hold breakdown (ms, ${held.length} trials):`);
    console.table(table(held));
    const transport = timings.map((t) => ms(t.receivedFrame - t.endFrame));
    const inference = timings.map((t) => ms(t.decidedFrame - t.receivedFrame));
    const pct = (xs: number[]) =>
      `p50 ${round1(quantile(xs, 0.5))} p95 ${round1(quantile(xs, 0.95))} p99 ${round1(quantile(xs, 0.99))} max ${round1(Math.max(...xs))}`;
    console.log(`all ${timings.length} frames: capture → main thread ${pct(transport)}; → decided ${pct(inference)} (ms)`);
    console.log(`end-of-turn breakdown (ms, ${eot.length} turns):`);
    console.table(table(eot));
    console.log(JSON.stringify({ lags: lags.map((l) => l.lag), probs: barge.map((b) => b.probs) }));
    const heldMs = held.map((h) => h.total);
    for (const h of held.filter((x) => x.frame >= 2))
      console.log(`late hold (frame ${h.frame}): probability@level from the onset's frame: ${h.around.join(" ")}`);
    console.log(
      JSON.stringify({
        holdMs: heldMs.map(Math.round),
        holdFrame: held.map((h) => h.frame),
        bargeMs: bargeMs.map(Math.round),
        eotMs: eotMs.map(Math.round),
        oldOnsetShiftMs: barge.map((b) => Math.round(b.oldMethodShiftMs)),
      }),
    );
    const stagesNote = (xs: { stages: Record<string, number> }[]) =>
      Object.entries(table(xs as never))
        .map(([k, v]) => `${k} ${v.p50}`)
        .join("; ");
    rows.push({
      name: `barge-in latency Chromium p50 (known onset → output silenced by the hold)${variant.label}`,
      unit: "ms",
      value: quantile(heldMs, 0.5),
      note: `${held.length} trials; p50 stages: ${stagesNote(held)}`,
    });
    rows.push({
      name: `barge-in latency Chromium p95 (→ silenced by the hold)${variant.label}`,
      unit: "ms",
      value: quantile(heldMs, 0.95),
      note: `target ≤ 120; max ${round1(Math.max(...heldMs))}; hold at frame ${hist(held.map((h) => h.frame))} after the onset's; resumed before the stop in ${held.filter((h) => h.resumed).length} trials; ${lateReplies} left out (reply queued after the onset); context clock: browser capture buffering and <audio> output buffering not included`,
    });
    const holdEngineMs = held.map((h) => h.engine);
    rows.push({
      name: `barge-in engine part p50 (holding frame complete → output silent)${variant.label}`,
      unit: "ms",
      value: quantile(holdEngineMs, 0.5),
      note: `p95 ${round1(quantile(holdEngineMs, 0.95))} ms: delivery + inference + hold command + fade`,
    });
    rows.push({
      name: `barge-in latency Chromium p50 (known onset → confirmed stop; the former figure)${variant.label}`,
      unit: "ms",
      value: quantile(bargeMs, 0.5),
      note: `${barge.length} trials; p50 stages: ${stagesNote(barge)}`,
    });
    rows.push({
      name: `barge-in latency Chromium p95 (→ confirmed stop)${variant.label}`,
      unit: "ms",
      value: quantile(bargeMs, 0.95),
      note: "the reply is already silent (on hold) by then; this is when it is dropped and reported",
    });
    const engineMs = barge.map((b) => b.engine);
    rows.push({
      name: `barge-in engine part p50 (first frame ≥ 0.7 complete → confirmed stop)${variant.label}`,
      unit: "ms",
      value: quantile(engineMs, 0.5),
      note: `p95 ${round1(quantile(engineMs, 0.95))} ms: confirmation + delivery + inference + stop`,
    });
    rows.push({
      name: `end-of-turn latency Chromium p50 (known speech end → utterance − 700 ms)${variant.label}`,
      unit: "ms",
      value: quantile(eotMs, 0.5),
      note: `${eot.length} turns; p50 stages: ${stagesNote(eot)}`,
    });
    rows.push({ name: `end-of-turn latency Chromium p95${variant.label}`, unit: "ms", value: quantile(eotMs, 0.95), note: "target ≤ 40" });
    const underrunReplies = replies.filter((r) => r.underruns > 0).length;
    if (replies.length)
      console.log(`${replies.length} replies streamed at real time: underruns per reply ${replies.map((r) => r.underruns).join(", ")}`);
    return { rows, heldMs, bargeMs, eotMs, underrunReplies, replies: replies.length, loopPath: log.loopPath };
  } finally {
    await browser.close();
    await server.close();
  }
}
