import { describe, expect, it } from "vitest";
import { LATENCY_PRESETS } from "./latency-profile.ts";
import { SPEECH_SAMPLE_RATE } from "./speech.ts";
import { createStandin } from "./standin.ts";
import type { StandinOptions } from "./standin.ts";
import { startTestServer } from "./test-server.ts";
import { sleep } from "./upstream-delays.ts";
import { encodeWav } from "@voice-agent/dsp";

const cloud = { ...LATENCY_PRESETS["typical-cloud"], jitter: 0 };
const T0 = 1_000_000;

/** A stand-in on a fake clock that its waits advance, so each body chunk's time is exact. */
function onFakeClock(latency: StandinOptions["latency"]) {
  const clock = { t: T0 };
  const standin = createStandin({ latency, now: () => clock.t, sleep: async (ms) => void (clock.t += Math.max(0, ms)) });
  const post = (path: string, body: string | FormData, json = true) =>
    standin.app.request(`/v1${path}`, {
      method: "POST",
      headers: { authorization: "Bearer x", ...(json ? { "content-type": "application/json" } : {}) },
      body,
    });
  /** Each body chunk with the clock's time (ms after T0) when it arrived. */
  const chunks = async (response: Response) => {
    const out: { at: number; bytes: Uint8Array }[] = [];
    const reader = response.body!.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) out.push({ at: clock.t - T0, bytes: next.value });
    return out;
  };
  return { standin, clock, post, chunks };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const chat = (stream: boolean) => JSON.stringify({ model: "m", stream, messages: [{ role: "user", content: "Tell me about whales" }] });
function wavForm(seconds: number, stream: boolean): FormData {
  const form = new FormData();
  form.append("file", new File([encodeWav(new Float32Array(16_000 * seconds), 16_000)], "a.wav", { type: "audio/wav" }));
  form.append("model", "m");
  if (stream) form.append("stream", "true");
  return form;
}

describe("latency profile, on a fake clock", () => {
  it("streams chat: the role at once, the first word after llmFirstTokenMs, the next llmPerTokenMs apart", async () => {
    const { post, chunks } = onFakeClock(cloud);
    const frames = await chunks(await post("/chat/completions", chat(true)));
    const words = frames.filter((f) => text(f.bytes).includes('"content":"') && !text(f.bytes).includes('"content":""'));
    expect(frames[0]).toMatchObject({ at: 0 });
    expect(text(frames[0]!.bytes)).toContain('"role":"assistant"');
    expect(words.map((w) => w.at)).toEqual(words.map((_, i) => 350 + 15 * i));
  });

  it("answers unstreamed chat when its last word would have streamed", async () => {
    const { post, clock } = onFakeClock(cloud);
    const body = (await (await post("/chat/completions", chat(false))).json()) as { choices: { message: { content: string } }[] };
    const words = body.choices[0]!.message.content.split(" ").length;
    expect(clock.t - T0).toBe(350 + 15 * (words - 1));
  });

  it("transcribes in sttBaseMs + sttPerAudioSecondMs per second of audio; streamed words follow llmPerTokenMs apart", async () => {
    const { post, clock, chunks } = onFakeClock(cloud);
    expect(await (await post("/audio/transcriptions", wavForm(2, false), false)).json()).toMatchObject({
      text: "I spoke for 2.0 seconds.",
    });
    expect(clock.t - T0).toBe(200 + 2 * 50);
    const start = clock.t - T0;
    const frames = await chunks(await post("/audio/transcriptions", wavForm(4, true), false));
    const deltas = frames.filter((f) => text(f.bytes).includes("transcript.text.delta"));
    expect(deltas.map((d) => d.at - start)).toEqual(deltas.map((_, i) => 200 + 4 * 50 + 15 * i));
  });

  it("sends speech after ttsFirstByteMs, then at ttsPace × real time", async () => {
    const { post, chunks } = onFakeClock(cloud);
    const body = JSON.stringify({ model: "m", voice: "alloy", input: "Hello there. How are you?", response_format: "pcm" });
    const frames = await chunks(await post("/audio/speech", body));
    expect(frames[0]!.at).toBe(200);
    let audioMs = 0;
    for (const frame of frames) {
      expect(frame.at).toBeCloseTo(200 + audioMs / 3, 6);
      audioMs += (frame.bytes.length / 2 / SPEECH_SAMPLE_RATE) * 1000;
    }
    expect(frames.length).toBeGreaterThan(10);
  });

  it("keeps the instant profile as it was: no waits before answers, words 15 ms apart, speech unpaced", async () => {
    const { post, chunks } = onFakeClock("instant");
    const frames = await chunks(await post("/chat/completions", chat(true)));
    expect(frames.slice(0, 3).map((f) => f.at)).toEqual([0, 15, 30]);
    const speech = await chunks(
      await post("/audio/speech", JSON.stringify({ model: "m", voice: "alloy", input: "Hi.", response_format: "pcm" })),
    );
    expect(new Set(speech.map((f) => f.at))).toEqual(new Set([frames.at(-1)!.at]));
  });
});

describe("latency profile, in real time", () => {
  it("cuts a wait short when the client goes away, and records the stream as aborted", async () => {
    const ends: string[] = [];
    const { app, requests } = createStandin({
      latency: { llmFirstTokenMs: 60_000 },
      sleep: async (ms, signal) => {
        await sleep(ms, signal);
        ends.push(signal?.aborted ? "aborted" : "elapsed");
      },
    });
    const response = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer x", "content-type": "application/json" },
      body: chat(true),
    });
    const reader = response.body!.getReader();
    expect(text((await reader.read()).value!)).toContain('"role":"assistant"');
    const waiting = reader.read();
    await new Promise(setImmediate);
    await reader.cancel();
    expect(await waiting).toMatchObject({ done: true });
    expect(ends).toEqual(["aborted"]);
    expect(requests.at(-1)).toMatchObject({ route: "chat", aborted: true });
  });

  it("takes at least the profile’s time over a socket (less the jitter)", async () => {
    const server = await startTestServer({ latency: "typical-cloud" });
    try {
      const started = performance.now();
      const stream = await server.client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true });
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;
      expect(performance.now() - started).toBeGreaterThanOrEqual(350 * 0.8);
    } finally {
      await server.close();
    }
  });
});
