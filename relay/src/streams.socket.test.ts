import type { RecordedRequest } from "@voice-agent/standin";
import { afterEach, describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "./protocol.ts";
import { TEST_ORIGIN, testUpstreams } from "../test/fixtures.ts";
import { listen, startRelayWithStandin, toneWav } from "../test/servers.ts";

type Env = Awaited<ReturnType<typeof startRelayWithStandin>>;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function start(...args: Parameters<typeof startRelayWithStandin>): Promise<Env> {
  const env = await startRelayWithStandin(...args);
  closers.push(env.close);
  return env;
}

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/v1/sessions`, {
    method: "POST",
    headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
    body: '{"agent":"demo"}',
  });
  return ((await res.json()) as CreateSessionResponse).token;
}

const post = async (url: string, path: string, body: unknown, signal?: AbortSignal) =>
  fetch(url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${await token(url)}`, origin: TEST_ORIGIN, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: signal ?? null,
  });

const lastOf = (env: Env, route: RecordedRequest["route"]) => env.standin.requests.findLast((r) => r.route === route);

/** An upstream that sends `first` and then stays silent; records whether the relay hung up on it. */
async function silentUpstream(contentType: string, first: string | Uint8Array) {
  const seen = { cancelled: false };
  const server = await listen(() => {
    const body = new ReadableStream({
      start: (controller) => controller.enqueue(typeof first === "string" ? new TextEncoder().encode(first) : first),
      cancel: () => void (seen.cancelled = true),
    });
    return new Response(body, { headers: { "content-type": contentType } });
  });
  closers.push(server.close);
  return { url: `${server.url}/v1`, seen };
}

describe("streams through the relay over real sockets", () => {
  it("cancels the upstream speech synthesis when the client aborts mid-stream", async () => {
    const env = await start();
    const controller = new AbortController();
    // Longer than socket buffers can absorb, so the stand-in is still producing when the client leaves.
    const input = Array.from({ length: 80 }, (_, i) => `This is sentence ${i + 1}.`).join(" ");
    const res = await post(env.url, "/v1/audio/speech", { input }, controller.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect((await reader.read()).value?.byteLength).toBeGreaterThan(0);
    controller.abort();
    await expect.poll(() => lastOf(env, "speech")?.aborted, { timeout: 5000 }).toBe(true);
  });

  it("logs a speech request the client aborts before the upstream answered as the client's doing, not an upstream failure", async () => {
    const env = await start();
    env.standin.faults.add({ route: "speech", kind: "slow", delayMs: 2000 });
    const bearer = await token(env.url);
    const controller = new AbortController();
    const answered = fetch(`${env.url}/v1/audio/speech`, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ input: "Hello there." }),
      signal: controller.signal,
    });
    // Well inside the stand-in's 2 s before its headers.
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    await expect(answered).rejects.toThrow();
    const logged = () => env.relay.logs.find((e) => e.msg === "request" && e.path === "/v1/audio/speech");
    await expect.poll(logged, { timeout: 5000 }).toBeDefined();
    expect(logged()).toMatchObject({ level: "info", status: 499, outcome: "client-gone" });
    expect(env.relay.logs.filter((e) => e.level === "error")).toEqual([]);
  });

  it("cuts a chat stream whose upstream goes silent with an upstream_timeout event, and hangs up on it", async () => {
    const chunk = {
      id: "c",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{ index: 0, delta: { content: "Hel" }, finish_reason: null }],
    };
    const silent = await silentUpstream("text/event-stream", `data: ${JSON.stringify(chunk)}\n\n`);
    const env = await start({ upstreams: testUpstreams(silent.url), streamIdleMs: 150 });
    const started = performance.now();
    const res = await post(env.url, "/v1/chat/completions", { stream: true, messages: [{ role: "user", content: "hi" }] });
    const text = await res.text();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(text).toContain('"content":"Hel"');
    expect(text).toContain('data: {"error":{"code":"upstream_timeout","message":"The llm upstream went silent mid-stream."}}');
    await expect.poll(() => silent.seen.cancelled, { timeout: 2000 }).toBe(true);
  });

  it("cuts a speech stream whose upstream goes silent, and hangs up on it", async () => {
    const silent = await silentUpstream("audio/pcm", new Uint8Array(4800));
    const env = await start({ upstreams: testUpstreams(silent.url), streamIdleMs: 150 });
    const res = await post(env.url, "/v1/audio/speech", { input: "hello" });
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow();
    await expect.poll(() => silent.seen.cancelled, { timeout: 2000 }).toBe(true);
  });

  it("shuts down gracefully: open streams end with shutting_down, the upstream is released, new requests are refused", async () => {
    const env = await startRelayWithStandin({}, { latency: { llmFirstTokenMs: 100, llmPerTokenMs: 100 } });
    const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const res = await post(env.url, "/v1/chat/completions", { stream: true, messages: [{ role: "user", content: words }] });
    const reader = res.body!.getReader();
    await reader.read();
    const closed = env.closeRelay();
    let text = "";
    const decoder = new TextDecoder();
    for (let next = await reader.read(); !next.done; next = await reader.read()) text += decoder.decode(next.value);
    expect(text).toContain('"code":"shutting_down"');
    await closed;
    await expect.poll(() => lastOf(env, "chat")?.aborted, { timeout: 2000 }).toBe(true);
    await expect(fetch(`${env.url}/healthz`)).rejects.toThrow();
    await env.close();
  });

  it("answers a request still waiting for the upstream's headers at shutdown 503 shutting_down, readable cross-origin", async () => {
    const arrived = { count: 0 };
    const mute = await listen(() => {
      arrived.count++;
      return new Promise<Response>(() => {});
    });
    closers.push(mute.close);
    const env = await start({ upstreams: testUpstreams(`${mute.url}/v1`) });
    const pending = post(env.url, "/v1/audio/speech", { input: "hello" });
    await expect.poll(() => arrived.count, { timeout: 2000 }).toBe(1);
    const closed = env.closeRelay();
    const res = await pending;
    expect({
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      allowOrigin: res.headers.get("access-control-allow-origin"),
      body: await res.json(),
    }).toEqual({
      status: 503,
      retryAfter: "1",
      allowOrigin: TEST_ORIGIN,
      body: { error: { code: "shutting_down", message: expect.any(String) } },
    });
    await closed;
  });

  it("answers 502 upstream_error, not a crash or 500, when the upstream's 200 is not the JSON it should be", async () => {
    const garbled = await listen(() => new Response("{ not json", { headers: { "content-type": "application/json" } }));
    closers.push(garbled.close);
    const env = await start({ upstreams: testUpstreams(`${garbled.url}/v1`) });
    const form = new FormData();
    form.set("file", new Blob([toneWav(1) as Uint8Array<ArrayBuffer>], { type: "audio/wav" }), "utterance.wav");
    const res = await fetch(`${env.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${await token(env.url)}`, origin: TEST_ORIGIN },
      body: form,
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 502,
      body: { error: { code: "upstream_error", message: "The stt upstream's answer could not be read." } },
    });
  });
});
