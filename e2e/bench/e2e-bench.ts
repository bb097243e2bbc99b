/**
 * `pnpm --filter @voice-agent/e2e bench` (≈ 10 minutes on a 2-core machine): the figures only the whole
 * product gives, in Debian's Chromium through the real relay. Needs the widget built (`pnpm build`).
 * `E2E_BENCH_ONLY=webrtc,history` runs only the parts named (of {@link PARTS}; `webrtc` brings `realtime`, its
 * baseline) and prints their rows without writing `bench/results/e2e.json` (a partial run would replace the suite's rows).
 * - Bundle sizes (gzip) from the widget's size check.
 * - History load: a reload restoring N stored messages from IndexedDB until all are shown, against an
 *   empty history (the baseline) on the same page.
 * - Voice to voice: the time from the visitor's true speech end (found in the captured audio) to the first
 *   reply sample the playback worklet rendered (both in context frames). With a stand-in that answers
 *   instantly (no token delay, speech from its cache) it is reported as turn overhead, minus the silence
 *   timeout (700 ms): once with the speech as fast as the stand-in reads it, once streamed at real time
 *   (with the replies that ran dry while playing). Then with the stand-in's `typical-cloud` latency
 *   profile (a hosted STT → LLM → TTS cascade's timing, seeded jitter), as p50 / p95.
 * - Realtime mode over WebRTC (`transport="webrtc"`: the relay creates the call with the stand-in's werift
 *   peer), against the relay's realtime WebSocket in the same run: voice to voice, the reply timed for both
 *   where its audio enters the page's audio graph (spoken-turns.ts, `tap`); and barge-in, the known onset of
 *   the visitor's speech over a playing reply → the reply muted (WebRTC) / the playback worklet silent
 *   (WebSocket), on the context clock (barge-in.ts).
 */
import { chromium, type Page } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writeBenchResults, type BenchRow } from "../../scripts/bench-report.ts";
import { startRelay, startStandin } from "../../scripts/stack.ts";
import { tempDatabaseUrl, writeAgentsFile } from "../agents-file.ts";
import { startHostServer } from "../host-server.ts";
import { fixture, withFakeMic } from "../chromium.ts";
import { E2E } from "../stack-ports.ts";
import { bargeIns, type BargeIns } from "./barge-in.ts";
import { median, progress, spokenTurns, type SpokenTurns } from "./spoken-turns.ts";

/** The bench's parts, in the order they run. */
const PARTS = ["sizes", "history", "instant", "realtime", "webrtc", "paced", "cloud", "speculation"] as const;
const only = process.env.E2E_BENCH_ONLY?.split(",").map((part) => part.trim());
for (const part of only ?? [])
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`E2E_BENCH_ONLY: no part "${part}" (${PARTS.join(", ")})`);
/** Whether part `part` runs (all without E2E_BENCH_ONLY; `realtime` also for `webrtc`, whose baseline it is). */
const runs = (part: (typeof PARTS)[number]) => !only || only.includes(part) || (part === "realtime" && only.includes("webrtc"));

const rows: BenchRow[] = [];
const SILENCE_MS = 700;
/** Nearest-rank percentile, `p` in (0, 1]; NaN for no trials. */
const percentile = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.ceil(p * xs.length) - 1]! : Number.NaN);
const P50_P95 = [
  [0.5, "p50"],
  [0.95, "p95"],
] as const;

// --- bundle sizes ------------------------------------------------------------------------------------
if (runs("sizes")) {
  const widgetDir = fileURLToPath(new URL("../../widget/", import.meta.url));
  const check = spawnSync(process.execPath, ["scripts/size-check.ts"], { cwd: widgetDir, encoding: "utf8" });
  for (const [, group, kb, budget] of check.stdout.matchAll(/^[✓✗] (\w+)\s+([\d.]+) KB gzip\s+\(budget ([\d.]+) KB/gm)) {
    rows.push({
      name: `widget bundle: ${group}`,
      unit: "KB gzip",
      value: Number(kb),
      note: `budget ${budget} KB (widget/size-budget.json)`,
    });
  }
  if (rows.length === 0) throw new Error(`size check printed no sizes (is the widget built?):\n${check.stdout}${check.stderr}`);
  progress("sizes done");
}

/**
 * Mid-sentence pauses of a set of ten turns, ms, as in conversational speech: most turns carry no pause
 * the 250 ms speculation pause reacts to (none, or a comma's 150 ms), some a hesitation (350–550 ms,
 * still under the 700 ms silence timeout).
 */
const NATURAL_PAUSES_MS = [0, 150, 0, 350, 0, 0, 150, 550, 0, 350];

/** Stand-in environment: text at once (no token delay), speech from its cache. */
const INSTANT = { STANDIN_LLM_FIRST_TOKEN_MS: "0", STANDIN_LLM_PER_TOKEN_MS: "0" };

/** A stand-in with speech from its cache and the latency `standinEnv` sets, a relay and a host page in front. */
async function startBenchStack(ports: { standin: number; relay: number; host: number }, standinEnv: Record<string, string>) {
  const standin = await startStandin({ port: ports.standin, env: { STANDIN_CACHE_SPEECH: "1", ...standinEnv }, output: "quiet" });
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
    standinUrl: standin.url,
    async close() {
      await host.close();
      await relay.kill();
      await standin.kill();
    },
  };
}

const stacks = [await startBenchStack({ standin: E2E.benchStandinPort, relay: E2E.benchRelayPort, host: E2E.benchHostPort }, INSTANT)];
const host = stacks[0]!.host;

try {
  // --- history load ----------------------------------------------------------------------------------
  if (runs("history")) {
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
          name:
            n === 0
              ? "history load: page start → widget rendered, empty history (median)"
              : `history load: page start → ${n} messages shown (median)`,
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
  const instant = runs("instant") ? await spokenTurns(host.url, 6, "") : undefined;
  if (instant) {
    turnOverheadRows(instant, "", "turn_overhead_instant_ms", "instant stand-in through the relay");
    rows.push(
      {
        key: "v2v_instant_p50_ms",
        name: "voice to voice: speech end → first reply sample played, instant stand-in (p50)",
        unit: "ms",
        value: percentile(instant.v2v, 0.5),
        trials: instant.v2v.length,
        note: "the turn overhead's turns, silence timeout included",
      },
      {
        key: "v2v_instant_p95_ms",
        name: "voice to voice: speech end → first reply sample played, instant stand-in (p95)",
        unit: "ms",
        value: percentile(instant.v2v, 0.95),
        trials: instant.v2v.length,
        note: `nearest rank of ${instant.v2v.length}: the largest`,
      },
    );
  }
  if (runs("realtime")) {
    // The same turns in realtime mode (speech to speech through the relay's realtime WebSocket), the widget
    // ending each turn itself (the demo agent's turn detection is null): the utterance goes up after the
    // silence timeout, the stand-in answers with its (cached) speech at once. The tap also times each reply
    // where it enters the page's audio graph, the WebRTC rows' baseline (`v2vTap`).
    const realtime = await spokenTurns(host.url, 6, " [realtime]", { attributes: { mode: "realtime" }, tap: true });
    for (const [p, name] of [
      [0.5, "p50"],
      [0.95, "p95"],
    ] as const) {
      rows.push({
        key: `v2v_realtime_local_${name}_ms`,
        name: `voice to voice, realtime mode (the widget ends the turn), instant stand-in (${name})`,
        unit: "ms",
        value: percentile(realtime.v2v, p),
        ...(instant ? { baseline: percentile(instant.v2v, p) } : {}),
        trials: realtime.v2v.length,
        note: `turns: ${realtime.v2v.map(Math.round).join(", ")}; baseline: the cascade's turns above`,
      });
    }
    // The same with the provider's turn detection (agent `vad`: the stand-in's energy VAD, server_vad with
    // the widget's 700 ms silence): the widget streams the mic from the call's start, the stand-in commits.
    const provider = await spokenTurns(host.url, 6, " [realtime, provider turns]", {
      attributes: { mode: "realtime", agent: "vad" },
      tap: true,
    });
    for (const [p, name] of [
      [0.5, "p50"],
      [0.95, "p95"],
    ] as const) {
      rows.push({
        key: `v2v_realtime_provider_${name}_ms`,
        name: `voice to voice, realtime mode (the provider's turn detection on the streamed mic), instant stand-in (${name})`,
        unit: "ms",
        value: percentile(provider.v2v, p),
        baseline: percentile(realtime.v2v, p),
        trials: provider.v2v.length,
        note: `turns: ${provider.v2v.map(Math.round).join(", ")}; baseline: the widget ending the turns (above), same 700 ms silence`,
      });
    }
    if (runs("webrtc")) await webrtcRows(host.url, realtime, provider);
  }
  if (runs("paced")) {
    // The same turns with the stand-in's speech streamed at real time (a 100 ms chunk every 100 ms), as a
    // provider that synthesizes as it speaks. Playback starts a margin after a reply's first chunk once
    // earlier replies showed how their audio arrives (`learnStart`, the default); the baseline waits for the
    // 150 ms start cushion (the second chunk) every time.
    const pacedStack = await startBenchStack(
      { standin: E2E.benchPacedStandinPort, relay: E2E.benchPacedRelayPort, host: E2E.benchPacedHostPort },
      { ...INSTANT, STANDIN_TTS_PACE: "1" },
    );
    stacks.push(pacedStack);
    const pacedSetup = "instant stand-in through the relay, speech in 100 ms chunks every 100 ms";
    // Not measured: the stand-in synthesizes each new sentence as it streams it, which on this machine can
    // fall behind real time; these turns fill its cache, so both measured sets get the same steady stream.
    await spokenTurns(pacedStack.host.url, 3, " [speech streamed at real time, warm-up]");
    const fixedLabel = " [speech streamed at real time, fixed cushion]";
    const fixed = await spokenTurns(pacedStack.host.url, 6, fixedLabel, { playback: { learnStart: false } });
    const paced = await spokenTurns(pacedStack.host.url, 6, " [speech streamed at real time]");
    const fixedOverhead = turnOverheadRows(fixed, fixedLabel, undefined, pacedSetup);
    const baselineNote = "baseline: every reply waits for the 150 ms cushion (learnStart off), same run";
    turnOverheadRows(paced, " [speech streamed at real time]", "turn_overhead_paced_ms", `${pacedSetup}; ${baselineNote}`, fixedOverhead);
    for (const [turns, label, key] of [
      [fixed, ", fixed cushion", undefined],
      [paced, "", "underrun_replies_paced"],
    ] as const) {
      rows.push({
        ...(key === undefined ? {} : { key, baseline: fixed.underrunReplies }),
        name: `replies that ran dry while playing (an underrun in va-playback) [speech streamed at real time${label}]`,
        unit: "replies",
        value: turns.underrunReplies,
        trials: turns.v2v.length,
        note: `of ${turns.v2v.length} replies; underruns per reply: ${turns.underruns.join(", ")}`,
      });
    }
  }

  // --- voice to voice against a provider that takes time ---------------------------------------------
  /** Element config without speculation (`pauseMs` 0: transcription after the silence timeout). */
  const noSpeculation = { config: { turn: { pauseMs: 0 } } };
  if (runs("cloud")) {
    // The stand-in's typical-cloud profile (fixed here, seed included, so runs compare): STT 200 ms + 50 ms
    // per audio second, LLM first token 350 ms then 15 ms per word, TTS first byte 200 ms then 3× real
    // time, each ± 20 %.
    const cloudStack = await startBenchStack(
      { standin: E2E.benchCloudStandinPort, relay: E2E.benchCloudRelayPort, host: E2E.benchCloudHostPort },
      { STANDIN_PROFILE: "typical-cloud" },
    );
    stacks.push(cloudStack);
    // With speculation (the default: the speech so far goes to transcription at a 250 ms pause) and without
    // (`pauseMs` 0: transcription after the 700 ms silence timeout), the same fixture, one after the other.
    const cloud = await spokenTurns(cloudStack.host.url, 9, " [typical-cloud]");
    const cloudNoSpec = await spokenTurns(cloudStack.host.url, 9, " [typical-cloud, no speculation]", noSpeculation);
    // The floor of this profile: the shortest silence timeout (100 ms), no speculation, so that nearly all
    // of voice to voice is the three stages one after the other (STT + LLM's first sentence + TTS's first byte).
    const floorConfig = { config: { turn: { pauseMs: 0, silenceMs: 100 } } };
    const cloudFloor = await spokenTurns(cloudStack.host.url, 9, " [typical-cloud, 100 ms silence timeout]", floorConfig);
    const cloudNote = (turns: SpokenTurns) =>
      `${turns.v2v.length} turns: ${turns.v2v.map(Math.round).join(", ")}; stand-in typical-cloud profile through the relay; ${turns.stages}; ${turns.underrunReplies} replies with an underrun`;
    rows.push(
      {
        key: "v2v_cloud_p50_ms",
        name: "voice to voice: speech end → first reply sample played, typical-cloud provider (p50)",
        unit: "ms",
        value: percentile(cloud.v2v, 0.5),
        baseline: percentile(cloudNoSpec.v2v, 0.5),
        trials: cloud.v2v.length,
        note: `${cloudNote(cloud)}; baseline: no speculation, same run`,
      },
      {
        key: "v2v_cloud_p95_ms",
        name: "voice to voice: speech end → first reply sample played, typical-cloud provider (p95)",
        unit: "ms",
        value: percentile(cloud.v2v, 0.95),
        baseline: percentile(cloudNoSpec.v2v, 0.95),
        trials: cloud.v2v.length,
        note: `nearest rank of ${cloud.v2v.length}: the largest; context time, output latency of the device not included`,
      },
      {
        key: "v2v_cloud_nospec_p50_ms",
        name: "voice to voice, typical-cloud provider, no speculation (p50)",
        unit: "ms",
        value: percentile(cloudNoSpec.v2v, 0.5),
        trials: cloudNoSpec.v2v.length,
        note: `${cloudNote(cloudNoSpec)}; element config turn.pauseMs 0 (transcription after the silence timeout)`,
      },
      {
        key: "v2v_cloud_floor_p50_ms",
        name: "voice to voice, typical-cloud provider, floor: 100 ms silence timeout, no speculation (p50)",
        unit: "ms",
        value: percentile(cloudFloor.v2v, 0.5),
        trials: cloudFloor.v2v.length,
        note: `${cloudNote(cloudFloor)}; element config turn.silenceMs 100, pauseMs 0: what the stages alone take after the speech ends, which no end-of-turn design can go under with this profile`,
      },
    );
  }

  // --- what speculation costs ------------------------------------------------------------------------
  if (runs("speculation")) {
    // Upstream requests per turn on the instant stack, with and without speculation, for turns spoken in one
    // go, for turns with a 450 ms pause in the middle of the sentence (the speculation made at that pause
    // is aborted when the visitor goes on: an extra transcription request), and for a mix of pauses as in
    // conversational speech (NATURAL_PAUSES_MS: most turns without a pause past the 250 ms speculation
    // pause, some with a hesitation).
    for (const midPauseMs of [[0], [450], NATURAL_PAUSES_MS]) {
      const perTurn: Record<string, number>[] = [];
      const trials = midPauseMs.length > 1 ? midPauseMs.length - 1 : 4;
      for (const options of [{}, noSpeculation]) {
        await fetch(`${stacks[0]!.standinUrl}/__standin/requests`, { method: "DELETE" });
        await spokenTurns(host.url, trials, ` [requests, mid-sentence pauses ${midPauseMs.join(", ")} ms]`, { ...options, midPauseMs });
        const requests = (await (await fetch(`${stacks[0]!.standinUrl}/__standin/requests`)).json()) as { route: string }[];
        // The first turn (not counted in the latency rows) is counted here: every turn costs requests.
        const count = (route: string) => requests.filter((r) => r.route === route).length / (trials + 1);
        perTurn.push({ transcription: count("transcription"), chat: count("chat"), speech: count("speech") });
      }
      const [spec, plain] = perTurn as [Record<string, number>, Record<string, number>];
      const extra = (route: string) => Math.round((spec[route]! - plain[route]!) * 100) / 100;
      const natural = midPauseMs.length > 1;
      const setup = natural
        ? `natural pauses: ${midPauseMs.length} turns with mid-sentence pauses of ${midPauseMs.join(", ")} ms`
        : midPauseMs[0]
          ? `each turn with a ${midPauseMs[0]} ms pause mid-sentence`
          : "each turn spoken in one go";
      const note = `with / without speculation per turn: transcription ${spec.transcription} / ${plain.transcription}, chat ${spec.chat} / ${plain.chat}, speech ${spec.speech} / ${plain.speech} (extra ${extra("speech")}); instant stand-in`;
      for (const [stage, route] of [
        ["stt", "transcription"],
        ["llm", "chat"],
      ] as const) {
        rows.push({
          ...(midPauseMs[0] ? { key: `speculation_extra_${stage}_per_turn` } : {}),
          ...(natural ? { key: `speculation_extra_${stage}_per_turn_natural` } : {}),
          name: `speculation: extra ${route} requests per turn (${setup})`,
          unit: "requests",
          value: extra(route),
          trials: trials + 1,
          note,
        });
      }
    }
  }
} finally {
  for (const stack of stacks) await stack.close();
}

await writeBenchResults("e2e", rows, { save: !only });

/** The turn overhead rows (voice to voice − the silence timeout): a median keyed `key` and a max; returns the median. */
function turnOverheadRows(turns: SpokenTurns, label: string, key: string | undefined, setup: string, baseline?: number): number {
  const overheads = turns.v2v.map((ms) => ms - SILENCE_MS);
  rows.push({
    ...(key === undefined ? {} : { key }),
    ...(baseline === undefined ? {} : { baseline }),
    name: `turn overhead: speech end → first reply sample played − 700 ms silence (median)${label}`,
    unit: "ms",
    value: median(overheads),
    trials: overheads.length,
    note: `${overheads.length} turns: ${overheads.map(Math.round).join(", ")}; ${setup}; ${turns.stages}`,
  });
  rows.push({
    name: `turn overhead (max)${label}`,
    unit: "ms",
    value: Math.max(...overheads),
    note: "context time; output latency of the device not included",
  });
  return median(overheads);
}

/**
 * Realtime mode over WebRTC (`transport="webrtc"`: the relay creates the call, the stand-in's werift peer
 * answers it; the mic goes on the call's track, the reply comes on the remote track and plays in an <audio>
 * element), on the instant stack, against the relay's realtime WebSocket: the WebSocket turns of the same run
 * (`websocket`, `websocketProvider`) are the baselines, and both are timed by the tap (spoken-turns.ts): the
 * reply's first sample above −60 dBFS where it enters the page's audio graph, the playback worklet's output
 * over the WebSocket, the remote track (pulled from the jitter buffer with the element's playout) over
 * WebRTC. Then barge-in over both (barge-in.ts): the known onset of "Stop, please." over a playing reply → the
 * reply's element muted by the hold (WebRTC) / the playback worklet silent (WebSocket).
 */
async function webrtcRows(hostUrl: string, websocket: SpokenTurns, websocketProvider: SpokenTurns): Promise<void> {
  const attributes = { mode: "realtime", transport: "webrtc" };
  const local = await spokenTurns(hostUrl, 6, " [realtime, WebRTC]", { attributes });
  const provider = await spokenTurns(hostUrl, 6, " [realtime, WebRTC, provider turns]", { attributes: { ...attributes, agent: "vad" } });
  const list = (xs: number[]) => xs.map(Math.round).join(", ");
  for (const [turns, baseline, kind, what] of [
    [local, websocket, "local", "the widget ends the turn"],
    [provider, websocketProvider, "provider", "the provider's turn detection on the mic's track"],
  ] as const) {
    for (const [p, name] of P50_P95) {
      rows.push({
        key: `v2v_realtime_webrtc_${kind}_${name}_ms`,
        name: `voice to voice, realtime mode over WebRTC (${what}), instant stand-in (${name})`,
        unit: "ms",
        value: percentile(turns.v2vTap, p),
        baseline: percentile(baseline.v2vTap, p),
        trials: turns.v2vTap.length,
        note:
          `speech end → the reply's first sample above −60 dBFS entering the page's audio graph from the remote track; turns: ${list(turns.v2vTap)} ` +
          `(of which end of turn → output_audio_buffer.started: ${list(turns.turnMs)}); ` +
          `Chromium's jitter buffer over the call: mean ${Math.round(turns.jitterBuffer?.meanMs ?? Number.NaN)} ms, target ${Math.round(turns.jitterBuffer?.targetMs ?? Number.NaN)} ms; ` +
          `baseline: the relay's realtime WebSocket turns above, timed the same way at the playback worklet's output: ${list(baseline.v2vTap)} ` +
          `(by the worklet's first rendered sample, the ${kind} row above: ${list(baseline.v2v)})`,
      });
    }
  }
  // 10 bursts each (≈ 1 min per transport): the p95 is the largest.
  const bursts = 10;
  const ws = await bargeIns(hostUrl, bursts, " [realtime barge-in, WebSocket]", "websocket");
  const rtc = await bargeIns(hostUrl, bursts, " [realtime barge-in, WebRTC]", "webrtc");
  const bargeNote = (b: BargeIns) =>
    `${b.overReply} of ${b.bursts} bursts over a playing reply, ${b.silencedMs.length} silenced it within 1.5 s (${b.interruptions} barge-ins confirmed): ${list(b.silencedMs)}`;
  for (const [p, name] of P50_P95) {
    rows.push({
      key: `bargein_webrtc_muted_${name}_ms`,
      name: `barge-in over WebRTC: known speech onset → the reply's <audio> muted by the hold (${name})`,
      unit: "ms",
      value: percentile(rtc.silencedMs, p),
      baseline: percentile(ws.silencedMs, p),
      trials: rtc.silencedMs.length,
      note: `${bargeNote(rtc)}; the mute (main thread) on the context clock ± ${Math.round(rtc.clockStepMs! / 2)} ms; slow agent (half speed), instant stand-in; baseline: the same over the WebSocket (below)`,
    });
  }
  for (const [p, name] of P50_P95) {
    rows.push({
      key: `bargein_websocket_silenced_${name}_ms`,
      name: `barge-in over the realtime WebSocket: known speech onset → the playback worklet silent by the hold (${name})`,
      unit: "ms",
      value: percentile(ws.silencedMs, p),
      trials: ws.silencedMs.length,
      note: `${bargeNote(ws)}; slow agent (half speed), instant stand-in`,
    });
  }
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
