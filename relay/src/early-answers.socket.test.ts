import { once } from "node:events";
import { connect } from "node:net";
import type { Socket } from "node:net";
import OpenAI, { APIError, toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "./protocol.ts";
import { TEST_ORIGIN, testAgent } from "../test/fixtures.ts";
import { startRelayInThread, startRelayWithStandin } from "../test/servers.ts";

const MiB = 1024 * 1024;
/** Far over the agent's 2 MiB body limit, well under the relay's default drain bound. */
const BIG = 16 * MiB;
/** Whether a client reads an early answer was a race (lost about half the time): each case tries a few times. */
const TRIES = 3;
const CRLF = "\r\n";

const errorBody = (code: string) => ({ error: { code, message: expect.any(String) } });

async function createToken(url: string, agent = "demo"): Promise<string> {
  const res = await fetch(`${url}/v1/sessions`, {
    method: "POST",
    headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
    body: JSON.stringify({ agent }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as CreateSessionResponse).token;
}

/** `total` bytes of `x`, as a body of unknown length (sent chunked). */
function chunkedBody(total: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x78);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

/** A raw HTTP/1.1 connection to the relay that records what it receives and when it closes. */
async function rawConnection(url: string) {
  const socket: Socket = connect(Number(new URL(url).port), "127.0.0.1");
  await once(socket, "connect");
  const state = { received: "", closed: false };
  socket.on("data", (chunk: Buffer) => {
    state.received += chunk.toString("latin1");
  });
  // The relay may close while the client still writes (EPIPE, ECONNRESET): what matters is what it read.
  socket.on("error", () => {});
  socket.on("close", () => {
    state.closed = true;
  });
  /** Writes `total` bytes in 64 kB chunks, `pauseMs` apart, until done or the relay closes; resolves with the bytes written. */
  const send = async (total: number, pauseMs = 0): Promise<number> => {
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    let written = 0;
    while (written < total && !state.closed) {
      const part = chunk.subarray(0, Math.min(chunk.length, total - written));
      const flushed = socket.write(part);
      written += part.length;
      if (!flushed) await new Promise((resolve) => (socket.once("drain", resolve), socket.once("close", resolve)));
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return written;
  };
  return { socket, state, send };
}

const postHead = (path: string, headers: string[]) =>
  ["POST " + path + " HTTP/1.1", "host: relay", `origin: ${TEST_ORIGIN}`, ...headers].join(CRLF) + CRLF + CRLF;
/** The statuses of the answers in `raw` (an answer's first line follows the previous answer's body directly). */
const statusLines = (raw: string) => [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));

describe("answers sent before the request body is read, over a socket", () => {
  let env: Awaited<ReturnType<typeof startRelayInThread>>;
  let token = "";
  const tight = { ...testAgent, id: "tight", limits: { ...testAgent.limits, requestsPerMinute: 1 } };
  const sdk = () => new OpenAI({ apiKey: token, baseURL: `${env.url}/v1`, maxRetries: 0, defaultHeaders: { origin: TEST_ORIGIN } });

  beforeAll(async () => {
    env = await startRelayInThread({ agents: [testAgent, tight], sessionsPerIpPerMinute: 10_000 });
    token = await createToken(env.url);
  });

  afterAll(async () => {
    await env.close();
  });

  it("the openai SDK reads the 413 of a large transcription upload", async () => {
    for (let i = 0; i < TRIES; i++) {
      const file = await toFile(new Uint8Array(BIG), "utterance.wav", { type: "audio/wav" });
      const error = await sdk()
        .audio.transcriptions.create({ file, model: "m" })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(APIError);
      expect({ status: (error as APIError).status, error: (error as APIError).error }).toEqual({
        status: 413,
        ...errorBody("payload_too_large"),
      });
    }
  });

  it("the openai SDK reads the 413 of a huge chat message", async () => {
    for (let i = 0; i < TRIES; i++) {
      const messages = [{ role: "user" as const, content: "x".repeat(BIG) }];
      const error = await sdk()
        .chat.completions.create({ model: "m", stream: true, messages })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(APIError);
      expect({ status: (error as APIError).status, error: (error as APIError).error }).toEqual({
        status: 413,
        ...errorBody("payload_too_large"),
      });
    }
  });

  it("fetch reads the 413 of a large multipart upload", async () => {
    for (let i = 0; i < TRIES; i++) {
      const form = new FormData();
      form.set("file", new Blob([new Uint8Array(BIG)], { type: "audio/wav" }), "utterance.wav");
      const res = await fetch(`${env.url}/v1/audio/transcriptions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN },
        body: form,
      });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 413, body: errorBody("payload_too_large") });
    }
  });

  it("fetch reads the 413 of a large JSON body", async () => {
    const body = JSON.stringify({ stream: true, messages: [{ role: "user", content: "x".repeat(BIG) }] });
    for (let i = 0; i < TRIES; i++) {
      const res = await fetch(`${env.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN, "content-type": "application/json" },
        body,
      });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 413, body: errorBody("payload_too_large") });
    }
  });

  it("fetch reads the 413 of a chunked body of unknown length, counted as it streams in", async () => {
    for (let i = 0; i < TRIES; i++) {
      const res = await fetch(`${env.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN, "content-type": "application/json" },
        body: chunkedBody(BIG),
        duplex: "half",
      } as RequestInit);
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 413, body: errorBody("payload_too_large") });
    }
  });

  it("fetch reads a 401 and a 429 answered before a large body is read", async () => {
    const body = new Uint8Array(BIG);
    for (let i = 0; i < TRIES; i++) {
      const res = await fetch(`${env.url}/v1/chat/completions`, {
        method: "POST",
        headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
        body,
      });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 401, body: errorBody("unauthorized") });
    }
    const limited = await createToken(env.url, "tight");
    const headers = { authorization: `Bearer ${limited}`, origin: TEST_ORIGIN, "content-type": "application/json" };
    expect((await fetch(`${env.url}/v1/sessions/refresh`, { method: "POST", headers })).status).toBe(200);
    for (let i = 0; i < TRIES; i++) {
      const res = await fetch(`${env.url}/v1/chat/completions`, { method: "POST", headers, body });
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 429, body: errorBody("rate_limited") });
    }
  });

  it("reads and discards the rest of a refused body, then serves the next request on the same connection", async () => {
    const connection = await rawConnection(env.url);
    const length = 3 * MiB;
    connection.socket.write(
      postHead("/v1/chat/completions", [`authorization: Bearer ${token}`, "content-type: application/json", `content-length: ${length}`]),
    );
    expect(await connection.send(length)).toBe(length);
    await expect.poll(() => statusLines(connection.state.received)).toEqual([413]);
    connection.socket.write(["GET /healthz HTTP/1.1", "host: relay"].join(CRLF) + CRLF + CRLF);
    await expect.poll(() => statusLines(connection.state.received)).toEqual([413, 200]);
    expect(connection.state.closed).toBe(false);
    connection.socket.destroy();
  });

  it("keeps reading a slow client's body after an early 401, then serves its next request", async () => {
    const connection = await rawConnection(env.url);
    // About 1 MiB over 1.6 s: a phone uploading on a slow uplink.
    const length = 16 * 64 * 1024;
    connection.socket.write(postHead("/v1/chat/completions", ["content-type: application/json", `content-length: ${length}`]));
    expect(await connection.send(length, 100)).toBe(length);
    connection.socket.write(["GET /healthz HTTP/1.1", "host: relay"].join(CRLF) + CRLF + CRLF);
    await expect.poll(() => statusLines(connection.state.received)).toEqual([401, 200]);
    expect(connection.state.closed).toBe(false);
    connection.socket.destroy();
  });
});

describe("the drain of a refused body is bounded", () => {
  let env: Awaited<ReturnType<typeof startRelayWithStandin>>;
  let token = "";

  beforeAll(async () => {
    env = await startRelayWithStandin({}, undefined, { drainBytes: MiB, drainMs: 500 });
    token = await createToken(env.url);
  });

  afterAll(async () => {
    await env.close();
  });

  it("closes the connection once a body far over the bound has been discarded up to it", async () => {
    const connection = await rawConnection(env.url);
    const length = 256 * MiB;
    connection.socket.write(
      postHead("/v1/chat/completions", [`authorization: Bearer ${token}`, "content-type: application/json", `content-length: ${length}`]),
    );
    const written = await connection.send(length);
    expect(statusLines(connection.state.received)).toEqual([413]);
    expect(connection.state.received).toContain('"code":"payload_too_large"');
    await expect.poll(() => connection.state.closed).toBe(true);
    expect(written).toBeGreaterThan(MiB);
    expect(written).toBeLessThan(64 * MiB);
    expect(env.relay.logs).toContainEqual(expect.objectContaining({ msg: "refused body not drained", reason: "bytes" }));
  });

  it("closes the connection of a client that trickles its body longer than the bound", async () => {
    const connection = await rawConnection(env.url);
    const length = 4 * MiB;
    connection.socket.write(
      postHead("/v1/chat/completions", [`authorization: Bearer ${token}`, "content-type: application/json", `content-length: ${length}`]),
    );
    // 10 bytes every 50 ms would take hours; the relay must not wait for it.
    for (let i = 0; i < 100 && !connection.state.closed; i++) {
      connection.socket.write("xxxxxxxxxx");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(connection.state.closed).toBe(true);
    expect(statusLines(connection.state.received)).toEqual([413]);
    expect(env.relay.logs).toContainEqual(expect.objectContaining({ msg: "refused body not drained", reason: "time" }));
  });
});
