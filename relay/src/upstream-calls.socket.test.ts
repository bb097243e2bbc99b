import { createStandin, type RecordedRequest } from "@voice-agent/standin";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "./protocol.ts";
import { createTestApp, TEST_ORIGIN, testAgent, testUpstreams } from "../test/fixtures.ts";
import { listen, startRelayWithStandin, toneWav } from "../test/servers.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function session(url: string): Promise<CreateSessionResponse> {
  const res = await fetch(`${url}/v1/sessions`, {
    method: "POST",
    headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
    body: '{"agent":"demo"}',
  });
  expect(res.status).toBe(201);
  return (await res.json()) as CreateSessionResponse;
}

const sdk = (url: string, token: string) =>
  new OpenAI({ apiKey: token, baseURL: `${url}/v1`, maxRetries: 0, defaultHeaders: { origin: TEST_ORIGIN } });

describe("the relay's upstream calls over real sockets", () => {
  it("never retries: one upstream attempt per request, whatever the upstream's error", async () => {
    const standin = createStandin({ latency: { llmFirstTokenMs: 1, llmPerTokenMs: 1 } });
    const attempts: string[] = [];
    const upstream = await listen((req) => {
      attempts.push(new URL(req.url).pathname);
      return standin.app.fetch(req);
    });
    closers.push(upstream.close);
    const relay = await listen(createTestApp({ upstreams: testUpstreams(`${upstream.url}/v1`) }).app.fetch);
    closers.push(relay.close);
    const client = sdk(relay.url, (await session(relay.url)).token);
    const form = () => ({ file: new File([toneWav(1) as Uint8Array<ArrayBuffer>], "u.wav", { type: "audio/wav" }), model: "m" });
    const calls = {
      chat: () => client.chat.completions.create({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
      speech: () => client.audio.speech.create({ model: "m", voice: "v", input: "hi" }),
      transcription: () => client.audio.transcriptions.create(form()),
    } as const;
    for (const status of [500, 503, 429]) {
      for (const [route, call] of Object.entries(calls)) {
        standin.faults.add({ route: route as RecordedRequest["route"], kind: "error", times: 5, status });
        attempts.length = 0;
        await expect(call()).rejects.toMatchObject({ status: 502, error: { code: "upstream_error" } });
        expect({ route, status, attempts: attempts.length }).toEqual({ route, status, attempts: 1 });
        standin.faults.clear();
      }
    }
  });

  it("streams a transcription's text deltas through (stream: true), then the done event", async () => {
    const env = await startRelayWithStandin({}, { latency: { llmFirstTokenMs: 5, llmPerTokenMs: 5 } });
    closers.push(env.close);
    const client = sdk(env.url, (await session(env.url)).token);
    const stream = await client.audio.transcriptions.create({
      file: new File([toneWav(1.5) as Uint8Array<ArrayBuffer>], "u.wav", { type: "audio/wav" }),
      model: "client-chosen-model",
      stream: true,
    });
    const types: string[] = [];
    let deltas = "";
    let done = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "transcript.text.delta") deltas += event.delta;
      if (event.type === "transcript.text.done") done = event.text;
    }
    expect(done).toBe("I spoke for 1.5 seconds.");
    expect(deltas).toBe(done);
    expect(types.filter((type) => type === "transcript.text.delta").length).toBeGreaterThan(1);
    expect(types.at(-1)).toBe("transcript.text.done");
    expect(env.standin.requests.findLast((r) => r.route === "transcription")).toMatchObject({ stream: true, model: testAgent.stt.model });
  });

  it("mints realtime keys for at most the session's remaining time, and none in its last 10 s", async () => {
    const clock = { now: Date.now() };
    // Idle longer than the session lasts, so the jumps of the clock do not end it.
    const agent = { ...testAgent, limits: { ...testAgent.limits, idleTimeoutSeconds: testAgent.limits.maxSessionSeconds } };
    const env = await startRelayWithStandin({ agents: [agent], now: () => clock.now, tokenTtlMs: 3_600_000 });
    closers.push(env.close);
    const { token, sessionEndsAt } = await session(env.url);
    const mint = () =>
      fetch(`${env.url}/v1/realtime/client_secrets`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN, "content-type": "application/json" },
        body: "{}",
      });
    clock.now = sessionEndsAt - 42_000;
    expect((await mint()).status).toBe(200);
    expect(env.standin.requests.findLast((r) => r.route === "realtime")).toMatchObject({ ttlSeconds: 42 });
    clock.now = sessionEndsAt - 9_000;
    const late = await mint();
    expect({ status: late.status, body: await late.json() }).toEqual({
      status: 401,
      body: { error: { code: "session_expired", message: expect.any(String) } },
    });
  });

  it("ends a speech stream cleanly at shutdown and releases its upstream", async () => {
    const env = await startRelayWithStandin({}, { latency: { ttsPace: 2 } });
    const res = await fetch(`${env.url}/v1/audio/speech`, {
      method: "POST",
      headers: { authorization: `Bearer ${(await session(env.url)).token}`, origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ input: "A sentence long enough to take a while to speak at the stand-in's pace." }),
    });
    const reader = res.body!.getReader();
    expect((await reader.read()).value?.byteLength).toBeGreaterThan(0);
    const closed = env.closeRelay();
    let bytes = 0;
    for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.byteLength;
    await closed;
    expect(env.standin.requests.findLast((r) => r.route === "speech")?.aborted).toBe(true);
    expect(bytes % 2).toBe(0);
    await env.close();
  });
});
