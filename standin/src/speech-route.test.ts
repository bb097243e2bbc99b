import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPEECH_SAMPLE_RATE } from "./speech.ts";
import { startTestServer } from "./test-server.ts";
import type { TestServer } from "./test-server.ts";
import { decodeWav } from "@voice-agent/dsp";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function rms(samples: Int16Array): number {
  return Math.sqrt(samples.reduce((sum, x) => sum + x * x, 0) / Math.max(1, samples.length));
}

/** Zero crossings per sample in each loud 50 ms window. */
function voicedZeroCrossingRates(samples: Int16Array, loudness: number): number[] {
  const size = SPEECH_SAMPLE_RATE / 20;
  const rates = [];
  for (let at = 0; at + size <= samples.length; at += size) {
    const window = samples.subarray(at, at + size);
    if (rms(window) < loudness) continue;
    let crossings = 0;
    for (let i = 1; i < window.length; i++) if ((window[i - 1] ?? 0) < 0 !== (window[i] ?? 0) < 0) crossings++;
    rates.push(crossings / window.length);
  }
  return rates;
}

describe("POST /v1/audio/speech", () => {
  it("speaks the input as 24 kHz 16-bit PCM that is speech, not silence or a tone", async () => {
    const response = await server.client.audio.speech.create({ model: "m", voice: "alloy", input: "Hello there", response_format: "pcm" });
    expect(response.headers.get("content-type")).toBe("audio/pcm");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.length % 2).toBe(0);
    const samples = new Int16Array(bytes.buffer, 0, bytes.length / 2);
    const seconds = samples.length / SPEECH_SAMPLE_RATE;
    expect(seconds).toBeGreaterThan(0.3);
    expect(seconds).toBeLessThan(3);
    expect(rms(samples)).toBeGreaterThan(500);
    const rates = voicedZeroCrossingRates(samples, 300);
    expect(rates.length).toBeGreaterThan(4);
    // Vowels cross zero rarely, fricatives (the "th") often; a pure tone would be constant.
    expect(Math.max(...rates) / Math.min(...rates)).toBeGreaterThan(2);
    expect(server.requests.at(-1)).toMatchObject({
      route: "speech",
      voice: "alloy",
      input: "Hello there",
      responseFormat: "pcm",
      aborted: false,
    });
  });

  it("streams the audio (chunked, no content-length) sentence by sentence", async () => {
    const response = await fetch(`${server.origin}/v1/audio/speech`, {
      method: "POST",
      headers: { authorization: "Bearer x", "content-type": "application/json" },
      body: JSON.stringify({ model: "m", voice: "nova", input: "One. Two. Three.", response_format: "pcm" }),
    });
    expect(response.headers.get("transfer-encoding")).toBe("chunked");
    expect(response.headers.get("content-length")).toBeNull();
    const seconds = (await response.arrayBuffer()).byteLength / 2 / SPEECH_SAMPLE_RATE;
    // Each sentence is spoken separately, each with its own closing pause.
    expect(seconds).toBeGreaterThan(1.5);
  });

  it("records that the client hung up mid-stream", async () => {
    const hangUp = new AbortController();
    const response = await fetch(`${server.origin}/v1/audio/speech`, {
      method: "POST",
      headers: { authorization: "Bearer x", "content-type": "application/json" },
      // Long enough that the audio cannot all be in the socket buffers before the hang-up.
      body: JSON.stringify({ model: "m", voice: "alloy", input: "One more sentence to speak. ".repeat(12), response_format: "pcm" }),
      signal: hangUp.signal,
    });
    await response.body?.getReader().read();
    hangUp.abort();
    await expect.poll(() => server.requests.at(-1)?.aborted, { timeout: 2000 }).toBe(true);
  });

  it("wraps the same audio in a 24 kHz WAV when asked for wav, and speaks slower at speed 0.5", async () => {
    const get = async (speed: number) => {
      const response = await server.client.audio.speech.create({
        model: "m",
        voice: "alloy",
        input: "Good morning",
        response_format: "wav",
        speed,
      });
      expect(response.headers.get("content-type")).toBe("audio/wav");
      return new Uint8Array(await response.arrayBuffer());
    };
    const normal = await get(1);
    const decoded = decodeWav(normal);
    expect(decoded).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
    expect(decoded.samples.length * 2).toBe(normal.length - 44);
    const slow = decodeWav(await get(0.5)).samples;
    expect(slow.length).toBeGreaterThan(decoded.samples.length * 1.5);
  });

  it.each([
    ["empty input", { input: "  ", response_format: "pcm" }, "empty_input"],
    ["mp3", { input: "Hi", response_format: "mp3" }, "unsupported_response_format"],
  ])("refuses %s with a 400", async (_name, body, code) => {
    const request = server.client.audio.speech.create({ model: "m", voice: "alloy", ...body } as never);
    await expect(request).rejects.toMatchObject({ status: 400, code });
  });
});
