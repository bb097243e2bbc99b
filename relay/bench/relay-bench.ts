/**
 * Relay benchmark: streamed chat completions and streamed speech fetched directly from the stand-in and
 * through the relay at 1, 50 and 200 concurrent streams. Reports added time to first byte (p50/p95), the
 * throughput ratio relay/direct and the relay's RSS. Stand-in and relay each run in their own process;
 * chat words come every 5 ms (a fast LLM), speech comes from the stand-in's cache as fast as it can go.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "../../scripts/bench-report.ts";
import { writeBenchResults } from "../../scripts/bench-report.ts";
import { TEST_ORIGIN, testAgent } from "../src/test-fixtures.ts";

const STANDIN_PORT = 21_690;
const RELAY_PORT = 21_691;
/** Length of one measured period (ms); each configuration runs two direct and two relayed periods. */
const PERIOD_MS = 2500;
const here = fileURLToPath(new URL(".", import.meta.url));
const children: ChildProcess[] = [];

function start(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [here + script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

interface Sample {
  ttfbMs: number;
  bytes: number;
}

async function stream(url: string, headers: Record<string, string>, body: unknown): Promise<Sample> {
  const started = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  const reader = res.body!.getReader();
  let ttfbMs = 0;
  let bytes = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    if (bytes === 0) ttfbMs = performance.now() - started;
    bytes += next.value.byteLength;
  }
  return { ttfbMs, bytes };
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
  return { p50: pct(0.5), p95: pct(0.95), mbPerS: bytes / 1e6 / (wallMs / 1000) };
}

try {
  await start("standin-server.ts", { PORT: String(STANDIN_PORT) });
  const relay = await start("relay-server.ts", { PORT: String(RELAY_PORT), UPSTREAM: `http://127.0.0.1:${STANDIN_PORT}/v1` });
  const direct = `http://127.0.0.1:${STANDIN_PORT}/v1`;
  const relayed = `http://127.0.0.1:${RELAY_PORT}/v1`;
  const session = await fetch(`${relayed}/sessions`, { method: "POST", headers: { origin: TEST_ORIGIN, "content-type": "application/json" }, body: '{"agent":"demo"}' });
  const { token } = (await session.json()) as { token: string };
  const relayHeaders = { authorization: `Bearer ${token}`, origin: TEST_ORIGIN };
  const directHeaders = { authorization: "Bearer sk-bench" };
  const messages = [{ role: "user", content: "Tell me something about the weather on the coast this weekend, please." }];
  const input = "Thanks for calling. The weather on the coast looks sunny this weekend.";
  const kinds = {
    chat: {
      direct: () => stream(`${direct}/chat/completions`, directHeaders, { model: testAgent.llm.model, stream: true, messages: [{ role: "system", content: testAgent.systemPrompt }, ...messages] }),
      relay: () => stream(`${relayed}/chat/completions`, relayHeaders, { stream: true, messages }),
    },
    tts: {
      direct: () => stream(`${direct}/audio/speech`, directHeaders, { model: testAgent.tts.model, voice: testAgent.tts.voice, input, response_format: "pcm", speed: 1 }),
      relay: () => stream(`${relayed}/audio/speech`, relayHeaders, { input }),
    },
  };
  // Warm-up: JIT, connection pools, and the stand-in's speech cache.
  for (const kind of Object.values(kinds)) for (let i = 0; i < 20; i++) await Promise.all([kind.direct(), kind.relay()]);
  const rows: BenchRow[] = [];
  let maxRss = rssMb(relay.pid!);
  const idleRss = maxRss;
  for (const n of [1, 50, 200]) {
    for (const [name, kind] of Object.entries(kinds)) {
      // Alternate direct and relayed batches so drift in machine load hits both alike.
      const d = await load(n, PERIOD_MS, kind.direct);
      const r = await load(n, PERIOD_MS, kind.relay);
      const d2 = await load(n, PERIOD_MS, kind.direct);
      const r2 = await load(n, PERIOD_MS, kind.relay);
      maxRss = Math.max(maxRss, rssMb(relay.pid!));
      const mean = (a: number, b: number) => (a + b) / 2;
      const target = n === 50 ? "; target < 2 ms" : "";
      rows.push(
        { name: `relay ${name} TTFB p50 @${n} streams (added)`, unit: "ms", value: mean(r.p50, r2.p50) - mean(d.p50, d2.p50), baseline: mean(d.p50, d2.p50), note: `baseline = direct p50${target}` },
        { name: `relay ${name} TTFB p95 @${n} streams (added)`, unit: "ms", value: mean(r.p95, r2.p95) - mean(d.p95, d2.p95), baseline: mean(d.p95, d2.p95), note: "baseline = direct p95" },
        { name: `relay ${name} throughput ratio @${n} streams`, unit: "x", value: mean(r.mbPerS, r2.mbPerS) / mean(d.mbPerS, d2.mbPerS), baseline: 1, note: `relay ${mean(r.mbPerS, r2.mbPerS).toFixed(2)} MB/s vs direct ${mean(d.mbPerS, d2.mbPerS).toFixed(2)} MB/s; target ≥ 0.9` },
      );
    }
  }
  rows.push({ name: "relay RSS (max during run)", unit: "MB", value: maxRss, baseline: idleRss, note: "baseline = RSS after warm-up" });
  await writeBenchResults("relay", rows);
} finally {
  for (const child of children) child.kill("SIGTERM");
}
