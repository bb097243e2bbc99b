/**
 * Barge-in on realtime replies for the e2e bench, in Chromium through the relay and the stand-in: the fake mic
 * asks a question, then says "Stop, please." every few seconds, each time over the reply to the turn before
 * (the `slow` agent speaks at half speed, so every reply is still playing when the next burst comes; each burst is
 * also the next turn). Per burst: the burst's known onset → the reply silenced by the widget.
 *
 * One clock, the AudioContext's. The onset is the fixture's: the tiled file is generated here, so each burst's first
 * speech sample is known exactly (`barge-in.json`: "Stop" starts with a quiet /s/, which a level threshold
 * would find late); it is found in the captured stream by cross-correlation (the fake device starts the file when
 * capture opens, at an offset that varies per run) and placed on the context clock by the capture worklet's stamps
 * (the context frame at which it entered the worklet). The end:
 * - over the WebSocket, the playback worklet's hold (`paused`) or stop report: the context frame from which its
 *   output is silent (the fade-out done);
 * - over WebRTC, the first `audio.muted = true` on the element that plays the call's remote track (the hold's
 *   `muteReply(true)`, or the cancel's when no hold came first), a main-thread `performance.now()`, placed on
 *   the context clock by `currentTime` read every 5 ms ({@link mainThreadClock}): ± half a render callback
 *   (≈ 4 ms). Checked against the playback worklet's `paused` reports placed the same way: they reached the main
 *   thread 2–7 ms after the frame they name.
 * Neither includes what follows in the browser: the <audio> element's renderer taking the silence (the
 * worklet's output goes through a MediaStream to an element as well) and the output device's buffer.
 */
import { chromium } from "@playwright/test";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeWav, encodeWav } from "@voice-agent/dsp";
import { findLag } from "../../widget/tools/latency-timeline.ts";
import { fixture, withFakeMic } from "../chromium.ts";
import { benchLog, captureFrameOf, instrumentPage, progress, startWidget, type BenchLog, type ProbeOptions } from "./spoken-turns.ts";

/** What {@link bargeIns} measured. */
export interface BargeIns {
  /** Per burst over a playing reply that silenced it: onset → silent (WebSocket) or muted (WebRTC), ms. */
  silencedMs: number[];
  /** Bursts spoken, and of them those over a playing reply (the tap heard it in the 1.5 s before the onset). */
  bursts: number;
  overReply: number;
  /** `va-interruption` events (confirmed barge-ins). */
  interruptions: number;
  /** Over WebRTC: the context clock's step as the main thread sees it (one render callback), ms. */
  clockStepMs?: number;
}

/** Silence before the question, and from its end to the first burst; then one burst every PERIOD_S. */
const LEAD_S = 1;
const FIRST_BURST_S = 4;
/**
 * The burst (1.15 s), the 700 ms silence timeout, the reply's start (0.1–0.6 s) and 2 s of it playing: the next
 * burst lands well inside the reply (about 7 s long at half speed) however the machine's load delays it.
 */
const PERIOD_S = 4.5;

/** `trials` bursts over realtime replies on the host page at `hostUrl`, over `transport`. */
export async function bargeIns(hostUrl: string, trials: number, label: string, transport: "websocket" | "webrtc"): Promise<BargeIns> {
  const webrtc = transport === "webrtc";
  const { wav, source, bursts } = await tiledBargeIns(trials);
  const browser = await chromium.launch(withFakeMic(wav, { webrtc }));
  try {
    const page = await browser.newPage();
    const probe: ProbeOptions = { playback: {}, tap: webrtc ? "remote" : "playback", clock: webrtc };
    await page.addInitScript(instrumentPage, probe);
    await page.goto(`${hostUrl}/embed.html`);
    await startWidget(page, {}, { mode: "realtime", agent: "slow", ...(webrtc ? { transport } : {}) });
    // Until the file has played out (then silence): the last burst's reply is muted or cut by then.
    await page.waitForFunction(
      (samples) => (window as unknown as { bench: BenchLog }).bench.frames.length * 512 >= samples,
      source.length + 16_000,
      { timeout: 60_000 + (source.length / 16_000) * 2000, polling: 500 },
    );
    progress(`bursts played${label}`);
    const log = await benchLog(page);
    const rate = log.rate;
    // Where the file starts in the captured stream: the question's first loud sample for a first guess, then
    // cross-correlation on the question (± 100 ms), then on each burst (± 50 ms around that).
    const loud = (xs: Float32Array) => xs.findIndex((x) => Math.abs(x) > 0.01);
    const guess = loud(log.audio) - loud(source);
    const question = { on: LEAD_S * 16_000, off: bursts[0]!.on - FIRST_BURST_S * 16_000 };
    const lag = findLag(source, log.audio, question.on, question.off, guess - 1600, guess + 1600).lag;
    const onsets = bursts.map((b) =>
      captureFrameOf(b.on + findLag(source, log.audio, b.on, b.off, lag - 800, lag + 800).lag, log.stamps, rate),
    );

    const toFrame = webrtc ? mainThreadClock(log.clock, rate) : undefined;
    const ends = webrtc ? log.mutes.filter((m) => m.muted).map((m) => toFrame!.frameAt(m.at)) : log.silenced.map((s) => s.frame);
    const silencedMs: number[] = [];
    let overReply = 0;
    for (const onset of onsets) {
      // The reply was heard in the 1.5 s before the onset (the tap's peaks; its stamps are within a frame of the
      // mic's): at half speed the pause between its sentences can reach 0.7 s, and the hold works in it as well.
      if (!log.tapPeaks.some(([frame, peak]) => peak > 0.01 && frame > onset - 1.5 * rate && frame <= onset)) continue;
      overReply++;
      const end = ends.find((frame) => frame > onset && frame < onset + 1.5 * rate);
      if (end !== undefined) silencedMs.push(((end - onset) / rate) * 1000);
    }
    return {
      silencedMs,
      bursts: bursts.length,
      overReply,
      interruptions: log.interruptions,
      ...(toFrame ? { clockStepMs: (toFrame.step / rate) * 1000 } : {}),
    };
  } finally {
    await browser.close();
  }
}

/**
 * The main thread's `performance.now()` on the context clock, from readings of both (`[now, frame]`). Chromium
 * renders a callback's frames (≈ 10 ms) at once and then advances `currentTime` past them, so `now − frame / rate`
 * is smallest right after a callback: then `now` is the callback's time and `frame` the end of what it rendered.
 * Near each instant the smallest offset (readings within 2 s) less half the clock's step (the median nonzero
 * advance between readings 5 ms apart, about one callback) maps it to a frame, as if each callback's frames were
 * rendered at its middle: ± half a step.
 */
function mainThreadClock(readings: [number, number][], rate: number): { frameAt(now: number): number; step: number } {
  const advances = readings.flatMap(([, f], i) => (i > 0 && f > readings[i - 1]![1] ? [f - readings[i - 1]![1]] : []));
  const step = advances.sort((a, b) => a - b)[Math.floor(advances.length / 2)] ?? 0;
  return {
    step,
    frameAt(now) {
      let offset = Number.POSITIVE_INFINITY;
      for (const [at, frame] of readings) if (Math.abs(at - now) <= 2000) offset = Math.min(offset, at - (frame / rate) * 1000);
      return (now - offset) * (rate / 1000) - step / 2;
    },
  };
}

/**
 * The fake mic's file (16 kHz): LEAD_S of silence, the journeys' question (`talk-over.wav`'s first sentence),
 * then `trials` times "Stop, please." (`barge-in.wav`'s first burst, its exact samples), the first
 * FIRST_BURST_S after the question's end, then every PERIOD_S; 4 s of silence after the last.
 */
async function tiledBargeIns(trials: number): Promise<{ wav: string; source: Float32Array; bursts: { on: number; off: number }[] }> {
  const talkOver = JSON.parse(await readFile(fixture("talk-over.json"), "utf8")) as { speech: [number, number][] };
  const meta = JSON.parse(await readFile(fixture("barge-in.json"), "utf8")) as { speechSamples: [number, number][]; sampleRate: number };
  const talk = decodeWav(await readFile(fixture("talk-over.wav")));
  const stop = decodeWav(await readFile(fixture("barge-in.wav")));
  if (talk.sampleRate !== 16_000 || stop.sampleRate !== 16_000 || meta.sampleRate !== 16_000) throw new Error("expected 16 kHz fixtures");
  const [qStart, qEnd] = talkOver.speech[0]!.map((ms) => (ms / 1000) * 16_000) as [number, number];
  const question = talk.samples.subarray(qStart, qEnd);
  const burst = stop.samples.subarray(...meta.speechSamples[0]!);
  const first = LEAD_S * 16_000 + question.length + FIRST_BURST_S * 16_000;
  const bursts = Array.from({ length: trials }, (_, i) => {
    const on = first + Math.round(i * PERIOD_S * 16_000);
    return { on, off: on + burst.length };
  });
  const source = new Float32Array(bursts.at(-1)!.off + 4 * 16_000);
  source.set(question, LEAD_S * 16_000);
  for (const { on } of bursts) source.set(burst, on);
  const wav = join(await mkdtemp(join(tmpdir(), "e2e-bench-barge-in-")), `barge-in-tiled-${trials}.wav`);
  await writeFile(wav, encodeWav(source, 16_000));
  return { wav, source, bursts };
}
