import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { realtimeEvents } from "./realtime-events.ts";
import type { RecordedRealtimeCall } from "./recorded-request.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A realtime call with every server event kept, and a wait for the next event of a type. */
async function call() {
  const ws = new WebSocket(`${server.origin.replace("http", "ws")}/v1/realtime?model=gpt-realtime`, {
    headers: { authorization: "Bearer test-key" },
  });
  const { events, next } = realtimeEvents(ws);
  await once(ws, "open");
  const send = (event: object) => ws.send(JSON.stringify(event));
  return { ws, events, next, send };
}

/** `ms` of 24 kHz PCM16, a 440 Hz tone at half scale (or silence), base64. */
function pcm(ms: number, loud = true): string {
  const samples = new Int16Array((24_000 * ms) / 1000);
  if (loud) for (let i = 0; i < samples.length; i++) samples[i] = Math.round(16_000 * Math.sin((2 * Math.PI * 440 * i) / 24_000));
  return Buffer.from(samples.buffer).toString("base64");
}

describe("the stand-in's realtime WebSocket", () => {
  it("transcribes committed audio and speaks a reply as audio and transcript deltas; records truncation", async () => {
    const { ws, events, next, send } = await call();
    expect(events[0]).toMatchObject({ type: "session.created", session: { model: "gpt-realtime" } });
    send({ type: "session.update", session: { audio: { input: { turn_detection: null }, output: { voice: "coral" } } } });
    await next("session.updated");
    send({ type: "input_audio_buffer.append", audio: pcm(1000) });
    send({ type: "input_audio_buffer.commit" });
    expect(await next("conversation.item.input_audio_transcription.completed")).toMatchObject({ transcript: "I spoke for 1.0 seconds." });
    send({ type: "response.create" });
    const done = await next("response.done");
    expect(done).toMatchObject({ response: { status: "completed" } });
    const audio = events.filter((e) => e.type === "response.output_audio.delta");
    expect(audio.length).toBeGreaterThan(5);
    const bytes = audio.reduce((n, e) => n + Buffer.from(String(e.delta), "base64").byteLength, 0);
    expect(bytes / 48).toBeGreaterThan(1000); // over a second of 24 kHz PCM16
    const transcript = events
      .filter((e) => e.type === "response.output_audio_transcript.delta")
      .map((e) => e.delta)
      .join("");
    expect(transcript).toBe("This is the offline demo. You said: I spoke for 1.0 seconds.");

    send({ type: "conversation.item.truncate", item_id: audio[0]!.item_id, content_index: 0, audio_end_ms: 640 });
    await next("conversation.item.truncated");
    send({ type: "no.such.event" });
    expect(await next("error")).toMatchObject({ error: { code: "unknown_event" } });
    ws.close();
    const record = server.requests.findLast((r) => r.route === "realtime-call") as RecordedRealtimeCall;
    expect(record.truncations).toEqual([{ itemId: audio[0]!.item_id, audioEndMs: 640 }]);
    expect(record.session).toMatchObject({ audio: { output: { voice: "coral" } } });
  });

  it("ends a turn on its own energy VAD (server_vad) and stops a reply on response.cancel", async () => {
    const { ws, next, send } = await call();
    send({ type: "input_audio_buffer.append", audio: pcm(800) });
    await next("input_audio_buffer.speech_started");
    send({ type: "input_audio_buffer.append", audio: pcm(600, false) });
    await next("input_audio_buffer.speech_stopped");
    await next("response.output_audio.delta");
    send({ type: "response.cancel" });
    expect(await next("response.done")).toMatchObject({ response: { status: "cancelled" } });
    ws.close();
  });
});
