/**
 * Capacity benchmark (not a test): how many concurrent conversations a relay serves before it adds more
 * than {@link ADDED_P95_LIMIT_MS} to the p95 time to first byte. Each simulated conversation does a turn
 * every 8 s (`conversation-load.ts`) against a stand-in paced like a provider (words 15 ms apart,
 * speech at 3× real time). The number of conversations rises in steps; at each step four paths take
 * turns, in rotating order: the stand-in directly (the baseline), the bare `node:http` proxy (the floor),
 * one relay with SQLite records, and two relays with PostgreSQL records behind the shipped nginx site
 * (plain HTTP on loopback; skipped without nginx or PostgreSQL). Then, per request kind, the relay's and
 * the bare proxy's CPU time per request at a steady 40 requests/s.
 *
 * `CAPACITY_STEPS=50,100` narrows the ramp; the ramp stops early once both relay paths add more than
 * twice the limit, or when the next step would end after `CAPACITY_BUDGET_S` (default 165 s).
 * `CAPACITY_PROFILE=<dir>` writes the relays' CPU profiles (`--cpu-prof`) there.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { nginxInstalled, startNginx, type Nginx } from "../../e2e/proxy/nginx.ts";
import { createTestDatabase, type TestDatabase } from "../../e2e/proxy/test-database.ts";
import type { BenchRow } from "../../scripts/bench-report.ts";
import { writeBenchResults } from "../../scripts/bench-report.ts";
import { TEST_ORIGIN, testAgent } from "../test/fixtures.ts";
import { silentWav } from "../test/servers.ts";
import { benchChildren, startBenchProcess } from "./bench-process.ts";
import {
  type ConversationPath,
  type Kind,
  type PathRequest,
  quantile,
  responseText,
  runConversations,
  timeToFirstByte,
  TURN_MS,
} from "./conversation-load.ts";
import { plainHttpSite } from "./plain-http-site.ts";
import { childPids, cpuMs, loadAverage, machineTicks, rssMb } from "./proc-stats.ts";

const PORTS = { standin: 21_700, relay: 21_701, pair: [21_702, 21_703] as const, nginx: 21_704, bare: 21_706 };
/** Pause between streamed words (ms), as `typical-cloud` providers stream them. */
const TOKEN_DELAY_MS = 15;
/** Speech streamed at this many times real time, as `typical-cloud` providers stream it. */
const SPEECH_PACE = 3;
/** The relay's added p95 time to first byte a step must stay within, ms. */
const ADDED_P95_LIMIT_MS = 10;
const SETTLE_MS = 2000;
const WINDOW_MS = 5000;
/** Per request kind: rate (requests/s) and duration (ms) of the CPU-per-request periods. */
const KIND_RATE = 40;
const KIND_MS = 2500;
const STEPS = (process.env.CAPACITY_STEPS ?? "50,100,200,400,800").split(",").map(Number);
const BUDGET_MS = Number(process.env.CAPACITY_BUDGET_S ?? 165) * 1000;
const cleanups: (() => Promise<unknown>)[] = [];

/** The relays run under `--cpu-prof` with `CAPACITY_PROFILE`. */
const start = (script: string, env: Record<string, string>) =>
  startBenchProcess(script, env, script === "relay-server.ts" ? process.env.CAPACITY_PROFILE : undefined);

function postgresUrl(): string | undefined {
  if (process.env.DATABASE_URL_TEST) return process.env.DATABASE_URL_TEST;
  try {
    return execFileSync("bash", [fileURLToPath(new URL("../../.ci/postgres.sh", import.meta.url))], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

// The requests of a turn. Speech inputs are fixed, so the stand-in answers them from its cache.
const wav = Buffer.from(await silentWav(2).arrayBuffer());
const boundary = "capacity-bench-boundary";
const field = (name: string, value: string) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
const upload = Buffer.concat([
  Buffer.from(
    `${field("model", testAgent.stt.model)}${field("stream", "true")}${field("language", "en")}--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="utterance.wav"\r\ncontent-type: audio/wav\r\n\r\n`,
  ),
  wav,
  Buffer.from(`\r\n--${boundary}--\r\n`),
]);
/** The chat request's user line: the transcript, as the widget sends it (set once the stand-in is up). */
let messages: { role: string; content: string }[] = [];
const inputs = [
  "Thanks for asking. We are open from ten in the morning until six on Sundays.",
  "Booking is not needed, but tables by the window go quickly after noon.",
];
const json = { "content-type": "application/json" };
const multipart = { "content-type": `multipart/form-data; boundary=${boundary}` };

/** Requests as a proxy in front of the stand-in takes them (the relay fills in the agent's fields). */
function proxiedPath(base: string, withSession: boolean): ConversationPath {
  return {
    async open(): Promise<Record<string, string>> {
      if (!withSession) return {};
      const session = await responseText({
        url: `${base}/v1/sessions`,
        headers: { ...json, origin: TEST_ORIGIN },
        body: '{"agent":"demo"}',
      });
      return { authorization: `Bearer ${(JSON.parse(session) as { token: string }).token}`, origin: TEST_ORIGIN };
    },
    request(kind, index, headers): PathRequest {
      if (kind === "stt") return { url: `${base}/v1/audio/transcriptions`, headers: { ...headers, ...multipart }, body: upload };
      if (kind === "chat")
        return { url: `${base}/v1/chat/completions`, headers: { ...headers, ...json }, body: JSON.stringify({ stream: true, messages }) };
      return { url: `${base}/v1/audio/speech`, headers: { ...headers, ...json }, body: JSON.stringify({ input: inputs[index % 2] }) };
    },
  };
}

/** Requests straight to the stand-in, with every field the relay would add. */
function directPath(base: string): ConversationPath {
  const headers = { authorization: "Bearer sk-bench" };
  const chat = JSON.stringify({
    model: testAgent.llm.model,
    stream: true,
    messages: [{ role: "system", content: testAgent.systemPrompt }, ...messages],
  });
  const speech = inputs.map((input) =>
    JSON.stringify({ model: testAgent.tts.model, voice: testAgent.tts.voice, input, response_format: "pcm", speed: 1 }),
  );
  return {
    open: async () => headers,
    request(kind, index) {
      if (kind === "stt") return { url: `${base}/v1/audio/transcriptions`, headers: { ...headers, ...multipart }, body: upload };
      if (kind === "chat") return { url: `${base}/v1/chat/completions`, headers: { ...headers, ...json }, body: chat };
      return { url: `${base}/v1/audio/speech`, headers: { ...headers, ...json }, body: speech[index % 2]! };
    },
  };
}

/** Messages recorded so far by a path's relays (SQLite file or PostgreSQL database). */
type MessageCount = () => Promise<number>;

interface Path {
  name: "direct" | "bare" | "relay" | "pair";
  conversations: ConversationPath;
  /** Processes whose CPU time is the path's proxy: relays, the bare proxy, nginx's worker. */
  pids: () => number[];
  /** The relays' processes (RSS). */
  relayPids: number[];
  messages?: MessageCount;
}

/** What one path did at one step. */
interface StepResult {
  n: number;
  ttfb: { all: number[]; stt: number[]; chat: number[]; tts: number[] };
  turns: number;
  failures: number;
  windowMs: number;
  /** CPU time of each of the path's relay processes in the window, ms (for `bare`, the bare proxy's). */
  relayCpuMs: number;
  /** nginx's worker CPU time in the window, ms (pair only). */
  nginxCpuMs: number;
  standinCpuMs: number;
  machineBusyPct: number;
  messagesPerS: number;
  rssMb: number;
}

const t0 = performance.now();
const rows: BenchRow[] = [];
let database: TestDatabase | undefined;
let nginx: Nginx | undefined;
try {
  const standin = await start("standin-server.ts", {
    PORT: String(PORTS.standin),
    TOKEN_DELAY_MS: String(TOKEN_DELAY_MS),
    SPEECH_PACE: String(SPEECH_PACE),
  });
  const upstream = `http://127.0.0.1:${PORTS.standin}/v1`;
  const dir = mkdtempSync(join(tmpdir(), "capacity-bench-"));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const sqliteFile = join(dir, "records.sqlite");
  const transcript = await responseText({
    url: `${upstream}/audio/transcriptions`,
    headers: { ...multipart, authorization: "Bearer sk-bench" },
    body: upload,
  });
  // The stand-in streams it; the text of the `transcript.text.done` event is the transcript.
  messages = [
    { role: "user", content: (JSON.parse(/data: (\{"type":"transcript\.text\.done".*)/.exec(transcript)![1]!) as { text: string }).text },
  ];
  const bare = await start("bare-proxy.ts", { PORT: String(PORTS.bare), UPSTREAM: upstream });
  const relay = await start("relay-server.ts", { PORT: String(PORTS.relay), UPSTREAM: upstream, DATABASE_URL: `file:${sqliteFile}` });
  const sqliteMessages: MessageCount = async () => {
    const db = new DatabaseSync(sqliteFile, { readOnly: true });
    try {
      return Number((db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n);
    } finally {
      db.close();
    }
  };
  const paths: Path[] = [
    { name: "direct", conversations: directPath(`http://127.0.0.1:${PORTS.standin}`), pids: () => [], relayPids: [] },
    { name: "bare", conversations: proxiedPath(`http://127.0.0.1:${PORTS.bare}`, false), pids: () => [bare.pid!], relayPids: [bare.pid!] },
    {
      name: "relay",
      conversations: proxiedPath(`http://127.0.0.1:${PORTS.relay}`, true),
      pids: () => [relay.pid!],
      relayPids: [relay.pid!],
      messages: sqliteMessages,
    },
  ];
  const pgUrl = postgresUrl();
  if (!nginxInstalled()) console.warn(`capacity bench: nginx is not installed; the two-instance path is skipped`);
  else if (!pgUrl) console.warn("capacity bench: no PostgreSQL (set DATABASE_URL_TEST); the two-instance path is skipped");
  else {
    const db = (database = await createTestDatabase(pgUrl, `capacity_bench_${process.pid}`));
    // One after the other: the first runs the migrations.
    const pair: ChildProcess[] = [];
    for (const port of PORTS.pair)
      pair.push(await start("relay-server.ts", { PORT: String(port), UPSTREAM: upstream, DATABASE_URL: db.url }));
    const nginxDir = mkdtempSync(join(tmpdir(), "capacity-nginx-"));
    cleanups.push(async () => rmSync(nginxDir, { recursive: true, force: true }));
    const site = plainHttpSite(
      await readFile(new URL("../../deploy/nginx/voice-agent.conf", import.meta.url), "utf8"),
      PORTS.nginx,
      PORTS.pair,
    );
    nginx = await startNginx({ dir: nginxDir, site, httpsPort: PORTS.nginx, workerConnections: 8192 });
    const master = Number(readFileSync(join(nginxDir, "nginx.pid"), "utf8"));
    const workers = childPids(master);
    const pgMessages: MessageCount = async () => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        return Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM messages")).rows[0]!.n);
      } finally {
        await client.end();
      }
    };
    paths.push({
      name: "pair",
      conversations: proxiedPath(`http://127.0.0.1:${PORTS.nginx}`, true),
      pids: () => [...pair.map((p) => p.pid!), ...workers],
      relayPids: pair.map((p) => p.pid!),
      messages: pgMessages,
    });
  }

  // Warm-up: the stand-in's speech cache (eSpeak NG synthesizes each input once), then JIT and pools.
  const turn = async (path: Path) => {
    const headers = await path.conversations.open();
    for (const [i, kind] of (["stt", "chat", "tts", "tts"] as Kind[]).entries())
      await timeToFirstByte(path.conversations.request(kind, i, headers));
  };
  await turn(paths[0]!);
  await Promise.all(paths.flatMap((path) => Array.from({ length: 10 }, () => turn(path))));
  console.log(`capacity bench: started and warmed up in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const idleRss = Object.fromEntries(paths.map((p) => [p.name, p.relayPids.reduce((sum, pid) => sum + rssMb(pid), 0)]));
  const maxRss = { ...idleRss };

  /** One step of one path. */
  async function measure(path: Path, n: number): Promise<StepResult> {
    let cpu0 = 0,
      cpu1 = 0,
      nginx0 = 0,
      nginx1 = 0,
      standin0 = 0,
      standin1 = 0;
    let m0 = { busy: 0, total: 0 },
      m1 = { busy: 0, total: 0 };
    let count0: Promise<number> | undefined, count1: Promise<number> | undefined;
    const relayCpu = () => path.relayPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const nginxCpu = () =>
      path
        .pids()
        .filter((pid) => !path.relayPids.includes(pid))
        .reduce((sum, pid) => sum + cpuMs(pid), 0);
    const load = await runConversations(path.conversations, {
      n,
      settleMs: SETTLE_MS,
      windowMs: WINDOW_MS,
      onWindow(edge) {
        if (edge === "start") {
          [cpu0, nginx0, standin0, m0] = [relayCpu(), nginxCpu(), cpuMs(standin.pid!), machineTicks()];
          count0 = path.messages?.();
        } else {
          [cpu1, nginx1, standin1, m1] = [relayCpu(), nginxCpu(), cpuMs(standin.pid!), machineTicks()];
          count1 = path.messages?.();
          maxRss[path.name] = Math.max(
            maxRss[path.name]!,
            path.relayPids.reduce((sum, pid) => sum + rssMb(pid), 0),
          );
        }
      },
    });
    maxRss[path.name] = Math.max(
      maxRss[path.name]!,
      path.relayPids.reduce((sum, pid) => sum + rssMb(pid), 0),
    );
    const messagesPerS = count0 && count1 ? ((await count1) - (await count0)) / (WINDOW_MS / 1000) : 0;
    return {
      n,
      ttfb: { all: [...load.ttfb.stt, ...load.ttfb.chat, ...load.ttfb.tts], ...load.ttfb },
      turns: load.turns,
      failures: load.failures,
      windowMs: WINDOW_MS,
      relayCpuMs: cpu1 - cpu0,
      nginxCpuMs: nginx1 - nginx0,
      standinCpuMs: standin1 - standin0,
      machineBusyPct: ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100,
      messagesPerS,
      rssMb: path.relayPids.reduce((sum, pid) => sum + rssMb(pid), 0),
    };
  }

  // The ramp.
  const steps: Record<Path["name"], StepResult>[] = [];
  const loads: number[] = [];
  const stepMs = paths.length * (SETTLE_MS + WINDOW_MS + 2000);
  for (const [i, n] of STEPS.entries()) {
    if (performance.now() - t0 + stepMs > BUDGET_MS && steps.length > 0) {
      console.warn(`capacity bench: steps from ${n} conversations skipped (time budget ${BUDGET_MS / 1000} s)`);
      break;
    }
    const results = {} as Record<Path["name"], StepResult>;
    for (let j = 0; j < paths.length; j++) {
      const path = paths[(i + j) % paths.length]!;
      results[path.name] = await measure(path, n);
    }
    steps.push(results);
    loads.push(loadAverage());
    const added = (name: Path["name"]) =>
      results[name] ? quantile(results[name].ttfb.all, 0.95) - quantile(results.direct.ttfb.all, 0.95) : Number.POSITIVE_INFINITY;
    console.log(
      `capacity bench: ${n} conversations: added p95 relay ${added("relay").toFixed(1)} ms, pair ${added("pair").toFixed(1)} ms, bare ${added("bare").toFixed(1)} ms; load average ${loads.at(-1)}`,
    );
    if (added("relay") > 2 * ADDED_P95_LIMIT_MS && added("pair") > 2 * ADDED_P95_LIMIT_MS) break;
  }

  console.log(`capacity bench: ramp done at ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  // CPU per request, by kind: a steady KIND_RATE requests/s of one kind, relay and bare proxy in turn.
  const kindCpu: Record<string, { relay: number; bare: number }> = {};
  for (const kind of ["stt", "chat", "tts"] as Kind[]) {
    kindCpu[kind] = { relay: 0, bare: 0 };
    for (const name of kind === "chat" ? (["bare", "relay"] as const) : (["relay", "bare"] as const)) {
      const path = paths.find((p) => p.name === name)!;
      const headers = await path.conversations.open();
      const cpu0 = cpuMs(path.relayPids[0]!);
      const pending: Promise<number>[] = [];
      const count = Math.round((KIND_RATE * KIND_MS) / 1000);
      for (let i = 0; i < count; i++) {
        pending.push(timeToFirstByte(path.conversations.request(kind, i, headers)));
        await new Promise((resolve) => setTimeout(resolve, 1000 / KIND_RATE));
      }
      await Promise.all(pending);
      kindCpu[kind][name] = (cpuMs(path.relayPids[0]!) - cpu0) / count;
    }
  }

  // Rows.
  const cores = (r: StepResult) => r.relayCpuMs / r.windowMs;
  const p95 = (values: number[]) => quantile(values, 0.95);
  const added = (r: StepResult | undefined, direct: StepResult) => (r ? p95(r.ttfb.all) - p95(direct.ttfb.all) : Number.NaN);
  const table: Record<string, string | number>[] = [];
  for (const [i, step] of steps.entries()) {
    const d = step.direct;
    for (const name of ["relay", "pair"] as const) {
      const r = step[name];
      if (!r) continue;
      const byKind = (["stt", "chat", "tts"] as const).map((k) => `${k} ${(p95(r.ttfb[k]) - p95(d.ttfb[k])).toFixed(1)}`).join(", ");
      const nginxNote = name === "pair" ? `, nginx ${((r.nginxCpuMs / r.windowMs) * 100).toFixed(0)}% of a core` : "";
      rows.push({
        key: `capacity${name === "pair" ? "_pair" : ""}_added_ttfb_p95_ms_at_${step.direct.n}`,
        name: `${name === "pair" ? "two relays behind nginx" : "relay"}: added TTFB p95 @${d.n} conversations`,
        unit: "ms",
        value: added(r, d),
        baseline: p95(d.ttfb.all),
        note: `baseline = direct p95 over all requests; by kind: ${byKind} ms; bare proxy added ${added(step.bare, d).toFixed(1)} ms; relay CPU ${(cores(r) * 100).toFixed(0)}% of a core${name === "pair" ? " (both)" : ""}${nginxNote}, bare ${(cores(step.bare) * 100).toFixed(0)}%; machine ${r.machineBusyPct.toFixed(0)}% busy; ${r.failures} failures; load average ${loads[i]}`,
      });
      table.push({
        conversations: d.n,
        path: name,
        "added p95 ms": Math.round(added(r, d) * 10) / 10,
        "bare added p95 ms": Math.round(added(step.bare, d) * 10) / 10,
        "direct p95 ms": Math.round(p95(d.ttfb.all) * 10) / 10,
        "relay cores": Math.round(cores(r) * 100) / 100,
        "bare cores": Math.round(cores(step.bare) * 100) / 100,
        "cpu ms/turn relay/bare": `${(r.relayCpuMs / Math.max(1, r.turns)).toFixed(1)} / ${(step.bare.relayCpuMs / Math.max(1, step.bare.turns)).toFixed(1)}`,
        "messages/s": Math.round(r.messagesPerS),
        "RSS MB": Math.round(r.rssMb),
        "machine busy %": Math.round(r.machineBusyPct),
        failures: r.failures,
        load: loads[i]!,
      });
    }
  }
  console.table(table);

  /** Highest step within the limit, and conversations per core of relay CPU used at that step. */
  const capacity = (name: "relay" | "pair") => {
    const passing = steps.filter((s) => s[name] && added(s[name], s.direct) <= ADDED_P95_LIMIT_MS).at(-1);
    if (!passing)
      return {
        value: 0,
        note: `no step kept the added p95 within ${ADDED_P95_LIMIT_MS} ms (steps ${steps.map((s) => s.direct.n).join(", ")})`,
      };
    const r = passing[name]!;
    const processes = r === undefined ? 1 : name === "pair" ? 2 : 1;
    return {
      value: passing.direct.n / cores(r),
      note: `highest step within ${ADDED_P95_LIMIT_MS} ms added p95: ${passing.direct.n} conversations, where the relay${processes > 1 ? "s" : ""} used ${cores(r).toFixed(2)} cores (CPU time / wall time); ${passing.direct.n} ÷ that; per relay process ${passing.direct.n / processes}; target ≥ 500`,
    };
  };
  const single = capacity("relay");
  rows.push({
    key: "capacity_conversations_per_core",
    name: "relay: conversations per relay core (added p95 ≤ 10 ms)",
    unit: "conversations",
    value: single.value,
    note: single.note,
  });
  if (paths.some((p) => p.name === "pair")) {
    const pair = capacity("pair");
    rows.push({
      key: "capacity_pair_conversations_per_core",
      name: "two relays behind nginx: conversations per relay core (added p95 ≤ 10 ms)",
      unit: "conversations",
      value: pair.value,
      note: pair.note,
    });
  }
  rows.push({
    key: "capacity_chat_cpu_ratio_vs_bare",
    name: "relay CPU per streamed chat reply / bare proxy's",
    unit: "x",
    value: kindCpu.chat!.relay / kindCpu.chat!.bare,
    note: `${kindCpu.chat!.relay.toFixed(2)} / ${kindCpu.chat!.bare.toFixed(2)} ms at ${KIND_RATE} replies/s; target ≤ 1.5`,
  });
  for (const kind of ["stt", "chat", "tts"]) {
    rows.push({
      key: `capacity_cpu_ms_per_${kind}`,
      name: `relay CPU per ${kind} request`,
      unit: "ms",
      value: kindCpu[kind]!.relay,
      baseline: kindCpu[kind]!.bare,
      note: `baseline = the bare proxy's; ${KIND_RATE} requests/s for ${KIND_MS / 1000} s each`,
    });
  }
  rows.push({
    key: "capacity_rss_mb",
    name: "relay RSS (max during the ramp, at window ends and after each step)",
    unit: "MB",
    value: maxRss.relay!,
    baseline: idleRss.relay!,
    note: `baseline = after warm-up${maxRss.pair ? `; two relays: ${maxRss.pair.toFixed(0)} MB together` : ""}`,
  });
  const top = (name: "relay" | "pair") => steps.filter((s) => s[name]).at(-1)?.[name];
  const sqliteTop = top("relay")!;
  rows.push({
    key: "capacity_records_writes_per_s",
    name: "records: messages written per s (SQLite, one relay)",
    unit: "msg/s",
    value: sqliteTop.messagesPerS,
    note: `at ${sqliteTop.n} conversations (${((sqliteTop.n / TURN_MS) * 1000 * 2).toFixed(0)}/s expected: the visitor's and the agent's line of each turn)`,
  });
  const pgTop = top("pair");
  if (pgTop)
    rows.push({
      key: "capacity_records_writes_per_s_postgres",
      name: "records: messages written per s (PostgreSQL, two relays)",
      unit: "msg/s",
      value: pgTop.messagesPerS,
      note: `at ${pgTop.n} conversations`,
    });
  console.log(`capacity bench: ${((performance.now() - t0) / 1000).toFixed(0)} s, load average ${loadAverage()}`);
  await writeBenchResults("capacity", rows);
} finally {
  await Promise.all(
    benchChildren.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
  await nginx?.stop();
  await database?.drop();
  for (const cleanup of cleanups) await cleanup();
}
