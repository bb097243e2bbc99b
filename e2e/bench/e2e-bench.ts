/**
 * `pnpm --filter @voice-agent/e2e bench` (≈ 2.5 minutes): the figures only the whole product gives, in
 * Debian's Chromium through the real relay. Needs the widget built (`pnpm build`).
 * - Bundle sizes (gzip) from the widget's size check.
 * - History load: a reload restoring N stored messages from IndexedDB until all are shown, against an
 *   empty history (the baseline) on the same page.
 * - Turn overhead: with a stand-in that answers instantly (no token delay, speech from its cache), the
 *   time from the visitor's true speech end (found in the captured audio) to the first reply sample the
 *   playback worklet rendered (both in context frames), minus the silence timeout (700 ms). Once with
 *   the speech as fast as the stand-in reads it, once streamed at real time.
 */
import { chromium, type Page } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchResults, type BenchRow } from "../../scripts/bench-report.ts";
import { startRelay, startStandin } from "../../scripts/stack.ts";
import { decodeWav, encodeWav } from "@voice-agent/dsp";
import { tempDatabaseUrl, writeAgentsFile } from "../agents-file.ts";
import { fixture, withFakeMic } from "../chromium.ts";
import { startHostServer } from "../host-server.ts";
import { E2E } from "../stack-ports.ts";

const rows: BenchRow[] = [];
const progress = (text: string) => console.error(`e2e bench: ${text}`);
const SILENCE_MS = 700;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const tmp = await mkdtemp(join(tmpdir(), "e2e-bench-"));

// --- bundle sizes ------------------------------------------------------------------------------------
{
  const widgetDir = fileURLToPath(new URL("../../widget/", import.meta.url));
  const check = spawnSync(process.execPath, ["scripts/size-check.ts"], { cwd: widgetDir, encoding: "utf8" });
  for (const [, group, kb, budget] of check.stdout.matchAll(/^[✓✗] (\w+)\s+([\d.]+) KB gzip\s+\(budget ([\d.]+) KB/gm)) {
    rows.push({ name: `widget bundle: ${group}`, unit: "KB gzip", value: Number(kb), note: `budget ${budget} KB (widget/size-budget.json)` });
  }
  if (rows.length === 0) throw new Error(`size check printed no sizes (is the widget built?):\n${check.stdout}${check.stderr}`);
}

progress("sizes done");
/** A stand-in that answers instantly (`standinEnv` may pace its speech), a relay and a host page in front. */
async function startBenchStack(ports: { standin: number; relay: number; host: number }, standinEnv: Record<string, string> = {}) {
  const standin = await startStandin({ port: ports.standin, env: { STANDIN_TOKEN_DELAY_MS: "0", STANDIN_CACHE_SPEECH: "1", ...standinEnv }, output: "quiet" });
  const relay = await startRelay({
    port: ports.relay,
    standinUrl: `${standin.url}/v1`,
    agentsFile: await writeAgentsFile({ origins: [`http://localhost:${ports.host}`] }),
    env: { DATABASE_URL: await tempDatabaseUrl(), SESSIONS_PER_IP_PER_MINUTE: "1000" },
    output: "quiet",
  });
  const host = await startHostServer({ port: ports.host, hostname: "localhost", relayUrl: relay.url });
  return {
    host,
    async close() {
      await host.close();
      await relay.kill();
      await standin.kill();
    },
  };
}

const stacks = [await startBenchStack({ standin: E2E.benchStandinPort, relay: E2E.benchRelayPort, host: E2E.benchHostPort })];
const host = stacks[0]!.host;

try {
  // --- history load ----------------------------------------------------------------------------------
  {
    const browser = await chromium.launch(withFakeMic(fixture("silence.wav")));
    try {
      for (const n of [0, 100]) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${host.url}/embed.html`);
        await converse(page, n / 2);
        const times: number[] = [];
        for (let trial = 0; trial < 5; trial++) {
          await page.reload();
          times.push(await shownAfter(page, n));
          progress(`history ${n}: ${Math.round(times.at(-1)!)} ms`);
        }
        await context.close();
        rows.push({
          name: n === 0 ? "history load: page start → widget rendered, empty history (median)" : `history load: page start → ${n} messages shown (median)`,
          unit: "ms",
          value: median(times),
          ...(n === 0 ? {} : { baseline: rows.find((r) => r.name.startsWith("history load: page start → widget rendered"))!.value }),
          note: `IndexedDB (Dexie), Chromium, history written by typed turns, 5 reloads: ${times.map(Math.round).join(", ")}${n ? "; baseline: empty history" : ""}`,
        });
      }
    } finally {
      await browser.close();
    }
  }

  // --- turn overhead ---------------------------------------------------------------------------------
  await turnOverhead(host.url, "", "instant stand-in through the relay");
  // The same turns with the stand-in's speech streamed at real time (a 100 ms chunk every 100 ms), as a
  // provider that synthesizes as it speaks: playback then waits until its start cushion (150 ms) has
  // arrived, here the second chunk.
  stacks.push(await startBenchStack({ standin: E2E.benchPacedStandinPort, relay: E2E.benchPacedRelayPort, host: E2E.benchPacedHostPort }, { STANDIN_SPEECH_CHUNK_DELAY_MS: "100" }));
  await turnOverhead(stacks[1]!.host.url, " [speech streamed at real time]", "instant stand-in through the relay, speech in 100 ms chunks every 100 ms");
} finally {
  for (const stack of stacks) await stack.close();
}

await writeBenchResults("e2e", rows);

/**
 * Turn overhead on the host page at `hostUrl`: 6 spoken turns (after one that fills the stand-in's speech
 * cache), each from the visitor's true speech end (found in the captured audio) to the first reply sample
 * the playback worklet rendered, minus the silence timeout. Adds a median and a max row named with `label`.
 */
async function turnOverhead(hostUrl: string, label: string, setup: string): Promise<void> {
  const trials = 6;
  const wav = await tiledTurns(trials + 1);
  const browser = await chromium.launch(withFakeMic(wav));
  try {
    const page = await browser.newPage();
    await page.addInitScript(instrumentWorklets);
    await page.goto(`${hostUrl}/embed.html`);
    await page.evaluate(async () => {
      await customElements.whenDefined("voice-agent");
      const el = document.querySelector("voice-agent") as HTMLElement & { config: object; start(): void };
      el.config = { greet: false, history: "memory" };
      el.start();
    });
    await page.waitForFunction((n) => (window as unknown as { bench: { firstPlayed: unknown[] } }).bench.firstPlayed.length >= n, trials + 1, { timeout: 150_000 });
    progress(`turns played${label}`);
    const log = await page.evaluate(() => {
      const b = (window as unknown as { bench: BenchLog }).bench;
      const audio = new Float32Array(b.frames.reduce((n, f) => n + f.length, 0));
      let at = 0;
      for (const f of b.frames) audio.set(f, (at += f.length) - f.length);
      return { started: b.started, rate: b.rate, firstPlayed: b.firstPlayed, metrics: b.metrics, audio: Array.from(audio) };
    });
    const ends = speechEnds(Float32Array.from(log.audio)).map((j) => log.started! + (j / 16_000) * log.rate);
    const overheads: number[] = [];
    for (const [i, end] of ends.entries()) {
      const first = log.firstPlayed.find((p) => p.frame > end);
      // The first turn fills the stand-in's speech cache: not counted.
      if (i === 0 || !first) continue;
      overheads.push(((first.frame - end) / log.rate) * 1000 - SILENCE_MS);
    }
    const stage = (key: string) => median(log.metrics.slice(1).map((m) => Number(m[key])));
    rows.push({
      name: `turn overhead: speech end → first reply sample played − 700 ms silence (median)${label}`,
      unit: "ms",
      value: median(overheads),
      note: `${overheads.length} turns: ${overheads.map(Math.round).join(", ")}; ${setup}; medians stt ${Math.round(stage("sttMs"))}, LLM first token ${Math.round(stage("llmFirstTokenMs"))}, TTS first audio ${Math.round(stage("ttsFirstAudioMs"))} ms`,
    });
    rows.push({ name: `turn overhead (max)${label}`, unit: "ms", value: Math.max(...overheads), note: "context time; output latency of the device not included" });
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
}

/**
 * Page init script: watches the widget's two worklet ports without touching them. The capture
 * worklet's `started` frame and 16 kHz frames give the audio as captured on the context clock; the
 * playback worklet's first progress report of a reply gives the context frame of its first sample
 * (frame at receipt − frames played; reports come every 100 ms of rendering).
 */
function instrumentWorklets(): void {
  const bench: BenchLog = { started: undefined, rate: 0, frames: [], firstPlayed: [], metrics: [] };
  (window as unknown as { bench: BenchLog }).bench = bench;
  document.addEventListener("va-metrics", (e) => bench.metrics.push((e as CustomEvent).detail));
  const Original = AudioWorkletNode;
  const seen = new Set<number>();
  window.AudioWorkletNode = class extends Original {
    constructor(context: BaseAudioContext, name: string, options?: AudioWorkletNodeOptions) {
      super(context, name, options);
      if (name === "voice-agent-capture") {
        bench.rate = context.sampleRate;
        this.port.addEventListener("message", (e: MessageEvent) => {
          if (e.data.kind === "started") bench.started = e.data.contextFrame;
          else if (e.data.kind === "frame") bench.frames.push((e.data.samples as Float32Array).slice());
        });
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
 * Fills the history the way a visitor does: `turns` typed turns (a text-only conversation, the
 * stand-in answering instantly), each waited for until its reply is stored.
 */
async function converse(page: Page, turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await page.evaluate(async (i) => {
      await customElements.whenDefined("voice-agent");
      const el = document.querySelector("voice-agent") as HTMLElement & { messages: readonly unknown[]; sendText(text: string): void };
      const before = el.messages.length;
      el.sendText(`Question number ${i}: is the green tent still in stock?`);
      while (el.messages.length < before + 2 || el.dataset.state !== "listening") await new Promise((r) => setTimeout(r, 20));
    }, i);
  }
}

/** ms from the page's time origin until the element shows `n` transcript lines (rendered at all for 0). */
async function shownAfter(page: Page, n: number): Promise<number> {
  const handle = await page.waitForFunction(
    (n) => {
      const root = document.querySelector("voice-agent")?.shadowRoot;
      const shown = root?.querySelector("[part~=controls]") && root.querySelectorAll("li[data-role]").length >= n;
      return shown ? performance.now() : false;
    },
    n,
    { polling: "raf", timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

/**
 * The spoken sentence of `one-turn.wav`, `count` times, each followed by 9 s of silence (time for the
 * reply to play out), after 1 s of silence; 16 kHz.
 */
async function tiledTurns(count: number): Promise<string> {
  const meta = JSON.parse(await readFile(fixture("one-turn.json"), "utf8")) as { speechStartMs: number; speechEndMs: number };
  const { samples, sampleRate } = decodeWav(await readFile(fixture("one-turn.wav")));
  const speech = samples.subarray(Math.round((meta.speechStartMs / 1000) * sampleRate), Math.round((meta.speechEndMs / 1000) * sampleRate));
  const down = Float32Array.from({ length: Math.floor((speech.length * 16_000) / sampleRate) }, (_, i) => speech[Math.floor((i * sampleRate) / 16_000)]!);
  const period = down.length + 9 * 16_000;
  const out = new Float32Array(16_000 + count * period);
  for (let i = 0; i < count; i++) out.set(down, 16_000 + i * period);
  const file = join(tmp, "turns-tiled.wav");
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
