/**
 * Relay benchmark: streamed chat completions and streamed speech fetched directly from the stand-in and
 * through the relay at 1, 50 and 200 concurrent streams. Reports added time to first byte (p50/p95), the
 * throughput ratio relay/direct, the relay's CPU time per stream and its RSS. Stand-ins and relays each
 * run in their own process; chat words come every 5 ms (a fast LLM); speech comes from the stand-in's
 * cache, paced at 10× real time (a 100 ms chunk every 10 ms, faster than providers synthesize) for the
 * headline `tts` rows, and as fast as it can be read for the `tts-unpaced` rows. Unpaced, every process on
 * the machine is CPU-bound, so that throughput ratio measures how the relay's copying CPU time compares
 * with the client's and the stand-in's on a shared machine, not whether it keeps up with an upstream.
 * The load generator uses `node:http` (not `fetch`) so its own CPU cost stays low for both paths; the CPU
 * rows say how busy the whole machine was during the direct and the relayed periods.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "../../scripts/bench-report.ts";
import { writeBenchResults } from "../../scripts/bench-report.ts";
import { TEST_ORIGIN, testAgent } from "../src/test-fixtures.ts";

const STANDIN_PORT = 21_690;
const RELAY_PORT = 21_691;
/** A second stand-in with unpaced speech, and a relay in front of it. */
const UNPACED_STANDIN_PORT = 21_692;
const UNPACED_RELAY_PORT = 21_693;
/** Pause before each 100 ms chunk of paced speech (ms): 10× real time. */
const SPEECH_CHUNK_DELAY_MS = 10;
/** Length of one measured period (ms); each configuration runs two direct and two relayed periods. */
const PERIOD_MS = 2500;
/**
 * `RELAY_BENCH_STREAMS=1,50` and `RELAY_BENCH_KINDS=chat` narrow a run while working on one figure;
 * `RELAY_PROFILE=<dir>` writes the relays' CPU profiles (`--cpu-prof`) there.
 */
const STREAMS = (process.env.RELAY_BENCH_STREAMS ?? "1,50,200").split(",").map(Number);
const KINDS = (process.env.RELAY_BENCH_KINDS ?? "chat,tts,tts-unpaced").split(",");
const here = fileURLToPath(new URL(".", import.meta.url));
const children: ChildProcess[] = [];

function start(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(process.env.RELAY_PROFILE && script === "relay-server.ts" ? ["--cpu-prof", "--cpu-prof-dir", process.env.RELAY_PROFILE] : []), here + script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** CPU time (user + system) process `pid` has used, ms (Linux clock ticks of 10 ms). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** Busy and total CPU time of the whole machine so far (all cores, clock ticks), from /proc/stat. */
const machineTicks = () => {
  const [user, nice, system, idle, iowait, ...rest] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = [user, nice, system, idle, iowait, ...rest].reduce((a, b) => a! + b!, 0)!;
  return { busy: total - idle! - iowait!, total };
};
/** Share of the machine's CPU time that was busy between two {@link machineTicks} readings, %. */
const busyPct = (a: ReturnType<typeof machineTicks>, b: ReturnType<typeof machineTicks>) => ((b.busy - a.busy) / (b.total - a.total)) * 100;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

interface Sample {
  ttfbMs: number;
  bytes: number;
}

/** The load generator's connection pool: `node:http` keeps the client's own CPU cost low, alike for both paths. */
const clientAgent = new Agent({ keepAlive: true });

function stream(url: string, headers: Record<string, string>, body: unknown): Promise<Sample> {
  const json = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent: clientAgent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(json), ...headers } }, (res) => {
      let ttfbMs = 0;
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        if (bytes === 0) ttfbMs = performance.now() - started;
        bytes += chunk.byteLength;
      });
      res.once("error", reject);
      res.once("end", () => (res.statusCode === 200 ? resolve({ ttfbMs, bytes }) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    });
    req.once("error", reject);
    req.end(json);
  });
}

/**
 * `n` concurrent streams for `ms`: each of `n` workers starts its next stream as soon as the previous one
 * ends (steady state, not synchronised bursts). TTFB of every stream; throughput over the whole period.
 */
async function load(n: number, ms: number, one: () => Promise<Sample>) {
  const samples: Sample[] = [];
  const started = performance.now();
  const deadline = started + ms;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (performance.now() < deadline) samples.push(await one());
    }),
  );
  const wallMs = performance.now() - started;
  const ttfb = samples.map((s) => s.ttfbMs).sort((a, b) => a - b);
  const pct = (p: number) => ttfb[Math.min(ttfb.length - 1, Math.floor(p * ttfb.length))]!;
  const bytes = samples.reduce((sum, s) => sum + s.bytes, 0);
  return { p50: pct(0.5), p95: pct(0.95), mbPerS: bytes / 1e6 / (wallMs / 1000), streams: samples.length };
}

try {
  await start("standin-server.ts", { PORT: String(STANDIN_PORT), SPEECH_CHUNK_DELAY_MS: String(SPEECH_CHUNK_DELAY_MS) });
  await start("standin-server.ts", { PORT: String(UNPACED_STANDIN_PORT) });
  const relay = await start("relay-server.ts", { PORT: String(RELAY_PORT), UPSTREAM: `http://127.0.0.1:${STANDIN_PORT}/v1` });
  const unpacedRelay = await start("relay-server.ts", { PORT: String(UNPACED_RELAY_PORT), UPSTREAM: `http://127.0.0.1:${UNPACED_STANDIN_PORT}/v1` });
  const direct = `http://127.0.0.1:${STANDIN_PORT}/v1`;
  const relayed = `http://127.0.0.1:${RELAY_PORT}/v1`;
  const unpacedDirect = `http://127.0.0.1:${UNPACED_STANDIN_PORT}/v1`;
  const unpacedRelayed = `http://127.0.0.1:${UNPACED_RELAY_PORT}/v1`;
  const session = await fetch(`${relayed}/sessions`, { method: "POST", headers: { origin: TEST_ORIGIN, "content-type": "application/json" }, body: '{"agent":"demo"}' });
  const { token } = (await session.json()) as { token: string };
  const relayHeaders = { authorization: `Bearer ${token}`, origin: TEST_ORIGIN };
  const unpacedSession = await fetch(`${unpacedRelayed}/sessions`, { method: "POST", headers: { origin: TEST_ORIGIN, "content-type": "application/json" }, body: '{"agent":"demo"}' });
  const unpacedHeaders = { authorization: `Bearer ${((await unpacedSession.json()) as { token: string }).token}`, origin: TEST_ORIGIN };
  const directHeaders = { authorization: "Bearer sk-bench" };
  const messages = [{ role: "user", content: "Tell me something about the weather on the coast this weekend, please." }];
  const input = "Thanks for calling. The weather on the coast looks sunny this weekend.";
  const speechBody = { model: testAgent.tts.model, voice: testAgent.tts.voice, input, response_format: "pcm", speed: 1 };
  const kinds = {
    chat: {
      relayPid: relay.pid!,
      direct: () => stream(`${direct}/chat/completions`, directHeaders, { model: testAgent.llm.model, stream: true, messages: [{ role: "system", content: testAgent.systemPrompt }, ...messages] }),
      relay: () => stream(`${relayed}/chat/completions`, relayHeaders, { stream: true, messages }),
    },
    tts: {
      relayPid: relay.pid!,
      direct: () => stream(`${direct}/audio/speech`, directHeaders, speechBody),
      relay: () => stream(`${relayed}/audio/speech`, relayHeaders, { input }),
    },
    "tts-unpaced": {
      relayPid: unpacedRelay.pid!,
      direct: () => stream(`${unpacedDirect}/audio/speech`, directHeaders, speechBody),
      relay: () => stream(`${unpacedRelayed}/audio/speech`, unpacedHeaders, { input }),
    },
  };
  // Warm-up: JIT, connection pools, and the stand-in's speech cache.
  for (const [name, kind] of Object.entries(kinds)) if (KINDS.includes(name)) for (let i = 0; i < 20; i++) await Promise.all([kind.direct(), kind.relay()]);
  const rows: BenchRow[] = [];
  const rss = () => Math.max(rssMb(relay.pid!), rssMb(unpacedRelay.pid!));
  let maxRss = rss();
  const idleRss = maxRss;
  for (const n of STREAMS) {
    for (const [name, kind] of Object.entries(kinds).filter(([name]) => KINDS.includes(name))) {
      // Alternate direct and relayed batches so drift in machine load hits both alike.
      const m0 = machineTicks();
      const d = await load(n, PERIOD_MS, kind.direct);
      const cpu0 = cpuMs(kind.relayPid);
      const m1 = machineTicks();
      const r = await load(n, PERIOD_MS, kind.relay);
      const cpu1 = cpuMs(kind.relayPid);
      const m2 = machineTicks();
      const d2 = await load(n, PERIOD_MS, kind.direct);
      const cpu2 = cpuMs(kind.relayPid);
      const r2 = await load(n, PERIOD_MS, kind.relay);
      const relayCpuMs = cpuMs(kind.relayPid) - cpu2 + cpu1 - cpu0;
      maxRss = Math.max(maxRss, rss());
      const mean = (a: number, b: number) => (a + b) / 2;
      const target = n === 50 ? "; target < 2 ms" : "";
      rows.push(
        { name: `relay ${name} TTFB p50 @${n} streams (added)`, unit: "ms", value: mean(r.p50, r2.p50) - mean(d.p50, d2.p50), baseline: mean(d.p50, d2.p50), note: `baseline = direct p50${target}` },
        { name: `relay ${name} TTFB p95 @${n} streams (added)`, unit: "ms", value: mean(r.p95, r2.p95) - mean(d.p95, d2.p95), baseline: mean(d.p95, d2.p95), note: "baseline = direct p95" },
        { name: `relay ${name} throughput ratio @${n} streams`, unit: "x", value: mean(r.mbPerS, r2.mbPerS) / mean(d.mbPerS, d2.mbPerS), baseline: 1, note: `relay ${mean(r.mbPerS, r2.mbPerS).toFixed(2)} MB/s vs direct ${mean(d.mbPerS, d2.mbPerS).toFixed(2)} MB/s${name === "tts-unpaced" ? "; CPU-bound, no target" : "; target ≥ 0.9"}` },
        { name: `relay ${name} CPU per stream @${n} streams`, unit: "ms", value: relayCpuMs / (r.streams + r2.streams), note: `relay CPU time (user + system) / relayed streams; ${((relayCpuMs / (PERIOD_MS * 2)) * 100).toFixed(0)}% of a core; whole machine busy ${busyPct(m0, m1).toFixed(0)}% direct, ${busyPct(m1, m2).toFixed(0)}% relayed (client, stand-in and relay share it)` },
      );
    }
  }
  rows.push({ name: "relay RSS (max during run)", unit: "MB", value: maxRss, baseline: idleRss, note: "baseline = RSS after warm-up" });
  await writeBenchResults("relay", rows);
} finally {
  for (const child of children) child.kill("SIGTERM");
}
