import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "./test-server.ts";
import type { TestServer } from "./test-server.ts";
import { encodeWav } from "@voice-agent/dsp";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ latency: { llmFirstTokenMs: 1, llmPerTokenMs: 1 } });
});
afterAll(() => server.close());

/** 1.5 s of a 440 Hz sine at 16 kHz. */
const sineWav = encodeWav(
  Float32Array.from({ length: 24_000 }, (_, i) => 0.25 * Math.sin((2 * Math.PI * 440 * i) / 16_000)),
  16_000,
);

describe("POST /v1/audio/transcriptions", () => {
  it("answers with the duration of the audio and records the WAV header", async () => {
    const result = await server.client.audio.transcriptions.create({
      file: await toFile(sineWav, "a.wav", { type: "audio/wav" }),
      model: "m",
    });
    expect(result.text).toBe("I spoke for 1.5 seconds.");
    expect(result.usage).toEqual({ type: "duration", seconds: 1.5 });
    expect(server.requests.at(-1)).toMatchObject({
      route: "transcription",
      model: "m",
      stream: false,
      sampleRate: 16_000,
      channels: 1,
      bitsPerSample: 16,
      durationMs: 1500,
      bytes: sineWav.length,
      fileName: "a.wav",
      fileType: "audio/wav",
    });
  });

  it("streams word deltas and then a done event", async () => {
    const stream = await server.client.audio.transcriptions.create({
      file: await toFile(sineWav, "a.wav"),
      model: "m",
      stream: true,
    });
    const events = [];
    for await (const event of stream) events.push(event);
    const deltas = events.filter((event) => event.type === "transcript.text.delta");
    expect(deltas.length).toBeGreaterThan(2);
    expect(events.at(-1)).toEqual({ type: "transcript.text.done", text: "I spoke for 1.5 seconds." });
    expect(deltas.map((event) => event.delta).join("")).toBe("I spoke for 1.5 seconds.");
    expect(server.requests.at(-1)).toMatchObject({ route: "transcription", stream: true, aborted: false });
  });

  it("refuses a file that is not a WAV with an OpenAI-style 400", async () => {
    const request = server.client.audio.transcriptions.create({ file: await toFile(Buffer.from("not audio"), "a.wav"), model: "m" });
    await expect(request).rejects.toMatchObject({ status: 400, code: "invalid_wav", type: "invalid_request_error" });
    expect(server.requests.at(-1)).toMatchObject({ route: "rejected", status: 400, code: "invalid_wav" });
  });
});
