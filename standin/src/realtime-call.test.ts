import { once } from "node:events";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { realtimeEvents } from "./realtime-events.ts";
import type { RecordedRealtimeCall } from "./recorded-request.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => fetch(`${server.origin}/__standin/faults`, { method: "DELETE" }));
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

/** A typed user message. */
const typed = (text: string) => ({
  type: "conversation.item.create",
  item: { type: "message", role: "user", content: [{ type: "input_text", text }] },
});

/** Arms a fault as a test in another process does. */
const arm = (fault: object) =>
  fetch(`${server.origin}/__standin/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });

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

  it("calls a tool the typed message names when the session offers it, then speaks about the tool's output", async () => {
    const { ws, events, next, send } = await call();
    const tool = { type: "function", name: "lookup_order", description: "Finds an order.", parameters: { type: "object", properties: {} } };
    send({ type: "session.update", session: { tools: [tool] } });
    await next("session.updated");
    send(typed("Please lookup_order 42"));
    send({ type: "response.create" });
    const done = await next("response.done");
    const response = events.slice(events.findIndex((e) => e.type === "response.created"));
    expect(response.map((e) => e.type)).toEqual([
      "response.created",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.done",
    ]);
    const added = response[1]!.item as { id: string; call_id: string };
    const callId = added.call_id;
    const ids = { response_id: (done.response as { id: string }).id, item_id: added.id, output_index: 0, call_id: callId };
    expect(added).toMatchObject({ type: "function_call", name: "lookup_order", call_id: expect.stringMatching(/^call_/) });
    expect(response[2]).toMatchObject(ids);
    expect(response.slice(2, 4).map((e) => e.delta)).toEqual(["{", "}"]);
    expect(response[4]).toEqual({
      event_id: expect.any(String),
      type: "response.function_call_arguments.done",
      ...ids,
      name: "lookup_order",
      arguments: "{}",
    });
    expect(response[5]).toMatchObject({ item: { id: added.id, type: "function_call", status: "completed", arguments: "{}" } });
    expect(done.response).toMatchObject({
      status: "completed",
      output: [{ type: "function_call", call_id: callId, name: "lookup_order", arguments: "{}" }],
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });

    send({ type: "conversation.item.create", item: { type: "function_call_output", call_id: callId, output: '{"status":"shipped"}' } });
    const [spoken, replied] = [next("response.output_audio_transcript.done"), next("response.done")];
    send({ type: "response.create" });
    expect((await spoken).transcript).toBe('The tool returned: {"status":"shipped"}.');
    expect(await replied).toMatchObject({ response: { status: "completed" } });
    ws.close();
    const record = server.requests.findLast((r) => r.route === "realtime-call") as RecordedRealtimeCall;
    expect(record.toolOutputs).toEqual([{ callId, output: '{"status":"shipped"}' }]);
  });

  it("speaks at the session's output speed", async () => {
    const audioMs = async (speed: number) => {
      const { ws, events, next, send } = await call();
      send({ type: "session.update", session: { type: "realtime", audio: { output: { speed } } } });
      send(typed("Hello there"));
      send({ type: "response.create" });
      await next("response.done");
      ws.close();
      const bytes = events
        .filter((e) => e.type === "response.output_audio.delta")
        .reduce((n, e) => n + Buffer.from(String(e.delta), "base64").length, 0);
      return bytes / 48;
    };
    const [normal, slow] = [await audioMs(1), await audioMs(0.5)];
    expect(slow / normal).toBeGreaterThan(1.6);
  });

  it("answers with the demo reply when no tool is offered, whatever the message names", async () => {
    const { ws, next, send } = await call();
    send(typed("Please lookup_order 42"));
    send({ type: "response.create" });
    expect((await next("response.output_audio_transcript.done")).transcript).toBe(
      "This is the offline demo. You said: Please lookup_order 42.",
    );
    ws.close();
  });
});

describe("faults armed for realtime-call", () => {
  const deltasOf = (events: { type: string }[]) => events.filter((e) => e.type === "response.output_audio.delta").length;

  it("error: the next response fails with a server_error event and no audio; the one after is spoken", async () => {
    expect((await arm({ route: "realtime-call", kind: "error" })).status).toBe(201);
    const { ws, events, next, send } = await call();
    send(typed("Hello"));
    const failed = Promise.all([next("error"), next("response.done")]);
    send({ type: "response.create" });
    const [error, done] = await failed;
    expect(error.error).toMatchObject({ type: "server_error", code: "injected_fault", message: expect.any(String) });
    expect(done.response).toMatchObject({
      status: "failed",
      status_details: { type: "failed", error: { type: "server_error", code: "injected_fault" } },
      output: [],
    });
    expect(deltasOf(events)).toBe(0);
    send({ type: "response.create" });
    expect(await next("response.done")).toMatchObject({ response: { status: "completed" } });
    expect(deltasOf(events)).toBeGreaterThan(5);
    ws.close();
  });

  it("stall: the next response sends `afterChunks` audio deltas, then nothing until it is cancelled", async () => {
    await arm({ route: "realtime-call", kind: "stall", afterChunks: 3 });
    const { ws, events, next, send } = await call();
    send(typed("Hello"));
    send({ type: "response.create" });
    await expect.poll(() => deltasOf(events)).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deltasOf(events)).toBe(3);
    expect(events.some((e) => e.type === "response.done")).toBe(false);
    send({ type: "response.cancel" });
    expect(await next("response.done")).toMatchObject({ response: { status: "cancelled" } });
    expect(deltasOf(events)).toBe(3);
    ws.close();
  });

  it("drop: the socket is dropped, without a close frame, after `afterChunks` audio deltas", async () => {
    await arm({ route: "realtime-call", kind: "drop", afterChunks: 2 });
    const { ws, events, send } = await call();
    send(typed("Hello"));
    send({ type: "response.create" });
    const [code] = (await once(ws, "close")) as [number];
    expect(code).toBe(1006);
    expect(deltasOf(events)).toBe(2);
    expect(events.some((e) => e.type === "response.done")).toBe(false);
    expect(await (await fetch(`${server.origin}/__standin/faults`)).json()).toEqual([]);
  });
});
