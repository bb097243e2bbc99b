/**
 * Relay benchmark: streamed chat completions and streamed speech fetched directly from the stand-in and
 * through the relay at 1, 50 and 200 concurrent streams. Reports added time to first byte (p50/p95), the
 * throughput ratio relay/direct, the relay's CPU time per stream and its RSS. Stand-ins and relays each
 * run in their own process; chat words come every 5 ms (a fast LLM); speech comes from the stand-in's
 * cache, paced at 10× real time (a 100 ms chunk every 10 ms, faster than providers synthesize) for the
 * headline `tts` rows, and as fast as it can be read for the `tts-unpaced` rows. Unpaced, every process on
 * the machine is CPU-bound, so that throughput ratio measures how the relay's copying CPU time compares
 * with the client's and the stand-in's on a shared machine, not whether it keeps up with an upstream.
 * The load generator uses `node:http` (not `fetch`) so its own CPU cost stays low for every path; the CPU
 * rows say how busy the whole machine was during the direct and the relayed periods.
 *
 * A third path, `bare-proxy.ts` (a plain `node:http` proxy), is measured in the same run as the floor of
 * any proxy on this machine. The three paths take turns in short periods, in rotating order, and each
 * path's samples are pooled, so drift in the machine's speed hits all three alike.
 */
import { Agent, request } from "node:http";
import { benchChildren, startBenchProcess } from "./bench-process.ts";
import { cpuMs, machineTicks, rssMb } from "./proc-stats.ts";
import type { BenchRow } from "../../scripts/bench-report.ts";
import { writeBenchResults } from "../../scripts/bench-report.ts";
import { TEST_ORIGIN, testAgent } from "../test/fixtures.ts";

const STANDIN_PORT = 21_690;
const RELAY_PORT = 21_691;
/** A second stand-in with unpaced speech, and a relay in front of it. */
const UNPACED_STANDIN_PORT = 21_692;
const UNPACED_RELAY_PORT = 21_693;
/** The bare proxies in front of the paced and the unpaced stand-in. */
const BARE_PORT = 21_694;
const UNPACED_BARE_PORT = 21_695;
/** Pace of the paced speech, × real time (a 100 ms chunk every 10 ms). */
const SPEECH_PACE = 10;
/** Length of one measured period (ms); each configuration runs {@link ROUNDS} periods of each path. */
const PERIOD_MS = 1250;
const ROUNDS = 4;
/**
 * Streams started in the first part of each period are not counted: on this VM a process that was idle
 * for a second runs its first few milliseconds of work many times slower (a `new Request()` that takes
 * 0.05 ms warm took 6–30 ms after 0.4 s of light load), so the first streams of each turn measure the
 * machine's wake-up rather than the path.
 */
const SETTLE_MS = 250;
/**
 * `RELAY_BENCH_STREAMS=1,50` and `RELAY_BENCH_KINDS=chat` narrow a run while working on one figure;
 * `RELAY_PROFILE=<dir>` writes the CPU profiles (`--cpu-prof`) of the relays and the bare proxies there,
 * named by process id (printed at start).
 */
const STREAMS = (process.env.RELAY_BENCH_STREAMS ?? "1,50,200").split(",").map(Number);
const KINDS = (process.env.RELAY_BENCH_KINDS ?? "chat,tts,tts-unpaced").split(",");
/** The relays and bare proxies run under `--cpu-prof` with `RELAY_PROFILE`; the stand-ins never do. */
const start = (script: string, env: Record<string, string>) =>
  startBenchProcess(script, env, script === "standin-server.ts" ? undefined : process.env.RELAY_PROFILE);

interface Sample {
  /** When the stream was requested (`performance.now()`). */
  startedAt: number;
  ttfbMs: number;
  bytes: number;
}

/** The load generator's connection pool: `node:http` keeps the client's own CPU cost low, alike for both paths. */
const clientAgent = new Agent({ keepAlive: true });

function stream(url: string, headers: Record<string, string>, body: unknown): Promise<Sample> {
  const json = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent: clientAgent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(json), ...headers },
      },
      (res) => {
        let ttfbMs = 0;
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          if (bytes === 0) ttfbMs = performance.now() - started;
          bytes += chunk.byteLength;
        });
        res.once("error", reject);
        res.once("end", () =>
          res.statusCode === 200 ? resolve({ startedAt: started, ttfbMs, bytes }) : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
        );
      },
    );
    req.once("error", reject);
    req.end(json);
  });
}

/** What one path did over all its periods. */
interface PathLoad {
  samples: Sample[];
  wallMs: number;
  /** CPU time of the proxy process in front of this path during its periods (ms), if there is one. */
  cpuMs: number;
  machine: { busy: number; total: number };
}

/**
 * `n` concurrent streams for {@link SETTLE_MS} and then `ms` more, the streams started in those `ms`
 * added to `into`: each of `n` workers starts its next stream as soon as the previous one ends (steady
 * state, not synchronised bursts).
 */
async function load(n: number, ms: number, one: () => Promise<Sample>, into: PathLoad, pid: number | undefined) {
  const settled = performance.now() + SETTLE_MS;
  const deadline = settled + ms;
  // Read when the settle time is over (always before the deadline).
  let cpu0 = 0;
  let m0 = { busy: 0, total: 0 };
  setTimeout(() => {
    cpu0 = pid === undefined ? 0 : cpuMs(pid);
    m0 = machineTicks();
  }, SETTLE_MS);
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (performance.now() < deadline) {
        const sample = await one();
        if (sample.startedAt >= settled) into.samples.push(sample);
      }
    }),
  );
  into.wallMs += performance.now() - settled;
  const m1 = machineTicks();
  into.machine.busy += m1.busy - m0.busy;
  into.machine.total += m1.total - m0.total;
  if (pid !== undefined) into.cpuMs += cpuMs(pid) - cpu0;
}

/** TTFB percentiles (ms), throughput (MB/s) and the machine's busy share (%) of a path's pooled samples. */
function summary(path: PathLoad) {
  const ttfb = path.samples.map((s) => s.ttfbMs).sort((a, b) => a - b);
  const pct = (p: number) => ttfb[Math.min(ttfb.length - 1, Math.floor(p * ttfb.length))]!;
  const bytes = path.samples.reduce((sum, s) => sum + s.bytes, 0);
  const busyPct = (path.machine.busy / path.machine.total) * 100;
  return { p50: pct(0.5), p95: pct(0.95), mbPerS: bytes / 1e6 / (path.wallMs / 1000), streams: path.samples.length, busyPct };
}

type PathName = "direct" | "bare" | "relay";

/** {@link ROUNDS} periods of each path at `n` streams, taking turns in rotating order. */
async function compare(n: number, paths: Record<PathName, { one: () => Promise<Sample>; pid?: number }>) {
  const names: PathName[] = ["direct", "bare", "relay"];
  const loads = Object.fromEntries(
    names.map((name) => [name, { samples: [], wallMs: 0, cpuMs: 0, machine: { busy: 0, total: 0 } }]),
  ) as Record<PathName, PathLoad>;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      await load(n, PERIOD_MS, paths[name].one, loads[name], paths[name].pid);
    }
  }
  return loads;
}

try {
  const upstreamOf = (port: number) => `http://127.0.0.1:${port}/v1`;
  await start("standin-server.ts", { PORT: String(STANDIN_PORT), SPEECH_PACE: String(SPEECH_PACE) });
  await start("standin-server.ts", { PORT: String(UNPACED_STANDIN_PORT) });
  const relay = await start("relay-server.ts", { PORT: String(RELAY_PORT), UPSTREAM: upstreamOf(STANDIN_PORT) });
  const unpacedRelay = await start("relay-server.ts", { PORT: String(UNPACED_RELAY_PORT), UPSTREAM: upstreamOf(UNPACED_STANDIN_PORT) });
  const bare = await start("bare-proxy.ts", { PORT: String(BARE_PORT), UPSTREAM: upstreamOf(STANDIN_PORT) });
  const unpacedBare = await start("bare-proxy.ts", { PORT: String(UNPACED_BARE_PORT), UPSTREAM: upstreamOf(UNPACED_STANDIN_PORT) });
  const relayHeadersOf = async (port: number) => {
    const session = await fetch(`${upstreamOf(port)}/sessions`, {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: '{"agent":"demo"}',
    });
    return { authorization: `Bearer ${((await session.json()) as { token: string }).token}`, origin: TEST_ORIGIN };
  };
  const directHeaders = { authorization: "Bearer sk-bench" };
  const messages = [{ role: "user", content: "Tell me something about the weather on the coast this weekend, please." }];
  const input = "Thanks for calling. The weather on the coast looks sunny this weekend.";
  const chatBody = {
    model: testAgent.llm.model,
    stream: true,
    messages: [{ role: "system", content: testAgent.systemPrompt }, ...messages],
  };
  const speechBody = { model: testAgent.tts.model, voice: testAgent.tts.voice, input, response_format: "pcm", speed: 1 };
  /** The three paths of one kind: the route, the stand-in's port, the relay's and the bare proxy's. */
  const pathsOf = async (
    route: string,
    body: unknown,
    relayBody: unknown,
    ports: { standin: number; relay: number; bare: number },
    pids: { relay: number; bare: number },
  ) => {
    const relayHeaders = await relayHeadersOf(ports.relay);
    return {
      direct: { one: () => stream(upstreamOf(ports.standin) + route, directHeaders, body) },
      bare: { one: () => stream(upstreamOf(ports.bare) + route, {}, relayBody), pid: pids.bare },
      relay: { one: () => stream(upstreamOf(ports.relay) + route, relayHeaders, relayBody), pid: pids.relay },
    };
  };
  const paced = { standin: STANDIN_PORT, relay: RELAY_PORT, bare: BARE_PORT };
  const pacedPids = { relay: relay.pid!, bare: bare.pid! };
  const kinds = {
    chat: await pathsOf("/chat/completions", chatBody, { stream: true, messages }, paced, pacedPids),
    tts: await pathsOf("/audio/speech", speechBody, { input }, paced, pacedPids),
    "tts-unpaced": await pathsOf(
      "/audio/speech",
      speechBody,
      { input },
      { standin: UNPACED_STANDIN_PORT, relay: UNPACED_RELAY_PORT, bare: UNPACED_BARE_PORT },
      { relay: unpacedRelay.pid!, bare: unpacedBare.pid! },
    ),
  };
  const selected = Object.entries(kinds).filter(([name]) => KINDS.includes(name));
  // Warm-up: JIT, connection pools, and the stand-in's speech cache.
  for (const [, paths] of selected) for (let i = 0; i < 20; i++) await Promise.all(Object.values(paths).map((path) => path.one()));
  const rows: BenchRow[] = [];
  const rss = () => Math.max(rssMb(relay.pid!), rssMb(unpacedRelay.pid!));
  let maxRss = rss();
  const idleRss = maxRss;
  for (const n of STREAMS) {
    for (const [name, paths] of selected) {
      const loads = await compare(n, paths);
      maxRss = Math.max(maxRss, rss());
      const [d, b, r] = [summary(loads.direct), summary(loads.bare), summary(loads.relay)];
      const target = n === 50 ? "; target < 2 ms" : "";
      const cpuNote = (path: PathLoad, streams: number, busyPct: number) =>
        `${(path.cpuMs / streams).toFixed(2)} ms per stream, ${((path.cpuMs / path.wallMs) * 100).toFixed(0)}% of a core, machine ${busyPct.toFixed(0)}% busy`;
      rows.push(
        {
          name: `relay ${name} TTFB p50 @${n} streams (added)`,
          unit: "ms",
          value: r.p50 - d.p50,
          baseline: d.p50,
          note: `baseline = direct p50; bare proxy added ${(b.p50 - d.p50).toFixed(2)} ms${target}`,
        },
        {
          name: `relay ${name} TTFB p95 @${n} streams (added)`,
          unit: "ms",
          value: r.p95 - d.p95,
          baseline: d.p95,
          note: `baseline = direct p95; bare proxy added ${(b.p95 - d.p95).toFixed(2)} ms`,
        },
        {
          name: `relay ${name} throughput ratio @${n} streams`,
          unit: "x",
          value: r.mbPerS / d.mbPerS,
          baseline: 1,
          note: `relay ${r.mbPerS.toFixed(2)} MB/s vs direct ${d.mbPerS.toFixed(2)} MB/s, bare proxy ${(b.mbPerS / d.mbPerS).toFixed(2)}x${name === "tts-unpaced" ? "; CPU-bound, no target" : "; target ≥ 0.9"}`,
        },
        {
          name: `relay ${name} CPU per stream @${n} streams`,
          unit: "ms",
          value: loads.relay.cpuMs / r.streams,
          baseline: loads.bare.cpuMs / b.streams,
          note: `baseline = the bare proxy's; relay: ${cpuNote(loads.relay, r.streams, r.busyPct)}; bare proxy: ${cpuNote(loads.bare, b.streams, b.busyPct)}; direct: machine ${d.busyPct.toFixed(0)}% busy (client, stand-in and proxy share it)`,
        },
      );
    }
  }
  rows.push({ name: "relay RSS (max during run)", unit: "MB", value: maxRss, baseline: idleRss, note: "baseline = RSS after warm-up" });
  await writeBenchResults("relay", rows);
} finally {
  for (const child of benchChildren) child.kill("SIGTERM");
}
