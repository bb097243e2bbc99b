import { once } from "node:events";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { WebSocketServer } from "ws";
import { createStandin } from "@voice-agent/standin";
import type { StandinOptions } from "@voice-agent/standin";
import type { RelayOptions } from "../src/relay-options.ts";
import type { ServeRelayOptions } from "../src/serve-relay.ts";
import { serveRelay } from "../src/serve-relay.ts";
import { STT_SAMPLE_RATE, type CreateSessionResponse } from "../src/protocol.ts";
import { createTestApp, TEST_ORIGIN, testUpstreams } from "./fixtures.ts";

/** Serves a fetch handler on a free port of 127.0.0.1, WebSocket routes included (tests only). */
export async function listen(fetch: Parameters<typeof serve>[0]["fetch"]) {
  const server = serve({ fetch, port: 0, hostname: "127.0.0.1", websocket: { server: new WebSocketServer({ noServer: true }) } });
  await once(server, "listening");
  const close = () =>
    new Promise<void>((resolve) => {
      if ("closeAllConnections" in server) server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}

/** Opens a session on the relay at `url` from the test origin (`body` default: the `demo` agent). */
export async function openSession(url: string, body: Record<string, unknown> = { agent: "demo" }): Promise<CreateSessionResponse> {
  const res = await fetch(`${url}/v1/sessions`, {
    method: "POST",
    headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as CreateSessionResponse;
}

/** A stand-in on a socket and a relay (with `serveRelay`, given `serve`'s drain bounds) in front of it. */
export async function startRelayWithStandin(
  overrides: Partial<RelayOptions> = {},
  standinOptions: StandinOptions = { latency: { llmFirstTokenMs: 5, llmPerTokenMs: 5 } },
  serve: Partial<Pick<ServeRelayOptions, "drainBytes" | "drainMs">> = {},
) {
  const standin = createStandin(standinOptions);
  const upstream = await listen(standin.app.fetch);
  const closing = new AbortController();
  const relay = createTestApp({ upstreams: testUpstreams(`${upstream.url}/v1`), closing: closing.signal, ...overrides });
  const server = await serveRelay(relay.app, {
    port: 0,
    hostname: "127.0.0.1",
    log: relay.logs.push.bind(relay.logs),
    closing,
    graceMs: 2000,
    ...serve,
  });
  return {
    standin,
    relay,
    url: server.url,
    upstreamUrl: upstream.url,
    closeRelay: server.close,
    close: async () => {
      await server.close();
      await upstream.close();
    },
  };
}

/**
 * {@link startRelayWithStandin} in a worker thread, so that the test's client does not share the relay's
 * event loop: in one loop a client reads an answer before the relay's next step, which hides races
 * between the relay closing a connection and the client writing to it. `overrides` must be cloneable.
 */
export async function startRelayInThread(overrides: Partial<RelayOptions> = {}) {
  const worker = new Worker(new URL("./relay-thread.ts", import.meta.url), { workerData: overrides });
  const [url] = (await once(worker, "message")) as [string];
  return {
    url,
    close: async () => {
      worker.postMessage("close");
      await once(worker, "exit");
    },
  };
}

/** Sends raw bytes over a socket and resolves with the raw answer (status and body), for requests `fetch` refuses to send. */
export async function rawRequest(url: string, request: string): Promise<{ status: number; body: string; raw: string }> {
  const { port } = new URL(url);
  const socket = connect(Number(port), "127.0.0.1");
  await once(socket, "connect");
  socket.write(request);
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await Promise.race([once(socket, "close"), new Promise((resolve) => setTimeout(resolve, 2000))]);
  socket.destroy();
  const raw = Buffer.concat(chunks).toString("latin1");
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
  return { status, body: raw.slice(raw.indexOf("\r\n\r\n") + 4), raw };
}

/**
 * A 16 kHz 16-bit mono WAV of a 440 Hz tone, `seconds` long. `claimedSeconds` forges the header's data
 * size (the samples are still all there).
 */
export function toneWav(seconds: number, claimedSeconds = seconds): Uint8Array {
  return pcmWav(seconds, claimedSeconds, (i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / STT_SAMPLE_RATE)));
}

/** {@link toneWav} whose `fmt ` says MP3 (0x55) at 384 kHz, 8 channels, 64 bits: a fraction of its length by that header. */
export function mp3InWav(seconds: number): Uint8Array {
  const bytes = toneWav(seconds);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint16(20, 0x55, true);
  view.setUint16(22, 8, true);
  view.setUint32(24, 384_000, true);
  view.setUint16(34, 64, true);
  return bytes;
}

/** {@link toneWav} with a second `fmt ` chunk, claiming 384 kHz, after the first (decoders differ on which one counts). */
export function twoFmtWav(seconds: number): Uint8Array {
  const plain = toneWav(seconds);
  const bytes = new Uint8Array(plain.length + 24);
  bytes.set(plain.subarray(0, 36));
  bytes.set(plain.subarray(12, 36), 36);
  bytes.set(plain.subarray(36), 60);
  new DataView(bytes.buffer).setUint32(48, 384_000, true);
  return bytes;
}

/** A silent 16 kHz 16-bit mono WAV upload, `seconds` long. */
export function silentWav(seconds: number): Blob {
  return new Blob([pcmWav(seconds, seconds, () => 0) as Uint8Array<ArrayBuffer>], { type: "audio/wav" });
}

function pcmWav(seconds: number, claimedSeconds: number, sample: (index: number) => number): Uint8Array {
  const samples = Math.round(seconds * STT_SAMPLE_RATE);
  const view = new DataView(new ArrayBuffer(44 + samples * 2));
  const ascii = (offset: number, text: string) => [...text].forEach((ch, i) => view.setUint8(offset + i, ch.charCodeAt(0)));
  const claimedBytes = Math.round(claimedSeconds * STT_SAMPLE_RATE) * 2;
  ascii(0, "RIFF");
  view.setUint32(4, 36 + claimedBytes, true);
  ascii(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, STT_SAMPLE_RATE, true);
  view.setUint32(28, STT_SAMPLE_RATE * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, claimedBytes, true);
  for (let i = 0; i < samples; i++) view.setInt16(44 + i * 2, sample(i), true);
  return new Uint8Array(view.buffer);
}
