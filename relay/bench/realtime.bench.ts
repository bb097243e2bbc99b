/**
 * Realtime benchmark: what the relay's realtime WebSocket (`GET /v1/realtime`, records on) adds to each
 * audio frame. A client sends a 20 ms frame of 24 kHz PCM16 every 20 ms as `input_audio_buffer.append`; an
 * echo upstream answers each at once with a `response.output_audio.delta` of the same audio; the client
 * times each frame's round trip. Three paths take turns in periods, in rotating order: direct to the
 * upstream, through a bare WebSocket pipe (`bare-websocket-pipe.ts`: the floor of any proxy here), and
 * through the relay. Each runs in its own process.
 */
import { once } from "node:events";
import WebSocket from "ws";
import type { BenchRow } from "../../scripts/bench-report.ts";
import { writeBenchResults } from "../../scripts/bench-report.ts";
import { TEST_ORIGIN } from "../test/fixtures.ts";
import { benchChildren, startBenchProcess } from "./bench-process.ts";

const UPSTREAM_PORT = 21_700;
const RELAY_PORT = 21_701;
const PIPE_PORT = 21_702;
/** One frame every 20 ms, 20 ms of audio each. */
const FRAME_MS = 20;
const FRAMES_PER_PERIOD = 250;
/** The first frames of each period are not counted (the processes wake up). */
const SETTLE_FRAMES = 25;
const ROUNDS = 4;

type Path = "direct" | "pipe" | "relay";

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
};

/** Opens a call on `path`; the relay's with a new session's token, as a browser passes it. */
async function open(path: Path): Promise<WebSocket> {
  if (path === "direct") return connected(new WebSocket(`ws://127.0.0.1:${UPSTREAM_PORT}/v1/realtime`, { perMessageDeflate: false }));
  if (path === "pipe") return connected(new WebSocket(`ws://127.0.0.1:${PIPE_PORT}/`, { perMessageDeflate: false }));
  const res = await fetch(`http://127.0.0.1:${RELAY_PORT}/v1/sessions`, {
    method: "POST",
    headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
    body: JSON.stringify({ agent: "demo", mode: "realtime" }),
  });
  const { token } = (await res.json()) as { token: string };
  return connected(
    new WebSocket(`ws://127.0.0.1:${RELAY_PORT}/v1/realtime`, ["realtime", `openai-insecure-api-key.${token}`], {
      headers: { origin: TEST_ORIGIN },
      perMessageDeflate: false,
    }),
  );
}

async function connected(ws: WebSocket): Promise<WebSocket> {
  await once(ws, "open");
  return ws;
}

/** One period on `ws`: round trips of the counted frames, ms. */
async function period(ws: WebSocket): Promise<number[]> {
  const audio = Buffer.alloc((24_000 * FRAME_MS * 2) / 1000, 7).toString("base64");
  const sentAt = new Map<string, number>();
  const rtts: number[] = [];
  let received = 0;
  const done = new Promise<void>((resolve) => {
    ws.on("message", (data) => {
      const event = JSON.parse(String(data)) as { type?: string; seq?: string };
      if (event.type !== "response.output_audio.delta" || !event.seq) return;
      const at = sentAt.get(event.seq);
      if (at !== undefined && Number(event.seq.slice(1)) >= SETTLE_FRAMES) rtts.push(performance.now() - at);
      if (++received === FRAMES_PER_PERIOD) resolve();
    });
  });
  for (let i = 0; i < FRAMES_PER_PERIOD; i++) {
    const seq = `f${i}`;
    sentAt.set(seq, performance.now());
    ws.send(JSON.stringify({ type: "input_audio_buffer.append", event_id: seq, audio }));
    await new Promise((resolve) => setTimeout(resolve, FRAME_MS));
  }
  await done;
  ws.close();
  return rtts;
}

try {
  await startBenchProcess("realtime-echo-upstream.ts", { PORT: String(UPSTREAM_PORT) });
  await Promise.all([
    startBenchProcess("relay-server.ts", { PORT: String(RELAY_PORT), UPSTREAM: `http://127.0.0.1:${UPSTREAM_PORT}/v1` }),
    startBenchProcess("bare-websocket-pipe.ts", { PORT: String(PIPE_PORT), UPSTREAM: `ws://127.0.0.1:${UPSTREAM_PORT}/` }),
  ]);
  const samples: Record<Path, number[]> = { direct: [], pipe: [], relay: [] };
  const paths: Path[] = ["direct", "pipe", "relay"];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < paths.length; i++) {
      const path = paths[(round + i) % paths.length]!;
      samples[path].push(...(await period(await open(path))));
    }
  }
  const [d, p, r] = (["direct", "pipe", "relay"] as const).map((path) => ({
    p50: percentile(samples[path], 0.5),
    p95: percentile(samples[path], 0.95),
  })) as [{ p50: number; p95: number }, { p50: number; p95: number }, { p50: number; p95: number }];
  const trials = samples.relay.length;
  const setup = `${FRAME_MS} ms frames of 24 kHz PCM16 every ${FRAME_MS} ms, echoed by the upstream; round trip (both directions); records on`;
  const rows: BenchRow[] = [
    {
      key: "realtime_frame_added_p50_ms",
      name: "relay realtime: added round trip per audio frame (p50)",
      unit: "ms",
      value: r.p50 - d.p50,
      baseline: d.p50,
      trials,
      note: `baseline = direct p50; bare WebSocket pipe added ${(p.p50 - d.p50).toFixed(2)} ms; ${setup}`,
    },
    {
      key: "realtime_frame_added_p95_ms",
      name: "relay realtime: added round trip per audio frame (p95)",
      unit: "ms",
      value: r.p95 - d.p95,
      baseline: d.p95,
      trials,
      note: `baseline = direct p95; bare WebSocket pipe added ${(p.p95 - d.p95).toFixed(2)} ms`,
    },
  ];
  await writeBenchResults("realtime", rows);
} finally {
  for (const child of benchChildren) child.kill("SIGTERM");
}
