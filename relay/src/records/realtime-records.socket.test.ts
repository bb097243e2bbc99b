/** Session records of a realtime call through the relay (SQLite in memory, the stand-in's realtime WebSocket). */
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realtimeEvents } from "@voice-agent/standin";
import WebSocket from "ws";
import { TEST_ORIGIN } from "../../test/fixtures.ts";
import { openSession, startRelayWithStandin } from "../../test/servers.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

let stack: Awaited<ReturnType<typeof startRelayWithStandin>>;
let store: SqliteSessionStore;
let writer: BatchingRecordWriter;

beforeAll(async () => {
  store = new SqliteSessionStore(":memory:");
  await store.migrate();
  writer = new BatchingRecordWriter(store, { flushIntervalMs: 60_000, log: () => {} });
  stack = await startRelayWithStandin({ records: { store, writer, adminTokens: [], defaultRetentionDays: 30 } });
});
afterAll(() => stack.close());

async function realtimeCall() {
  const session = await openSession(stack.url, { agent: "demo", mode: "realtime" });
  const ws = new WebSocket(`${stack.url.replace("http", "ws")}/v1/realtime`, ["realtime", `openai-insecure-api-key.${session.token}`], {
    headers: { origin: TEST_ORIGIN },
  });
  const { events, next } = realtimeEvents(ws);
  const send = (event: object) => ws.send(JSON.stringify(event));
  await next("session.updated");
  const speak = (ms: number) => {
    const samples = new Int16Array(24 * ms).map((_, i) => Math.round(12_000 * Math.sin((2 * Math.PI * 300 * i) / 24_000)));
    send({ type: "input_audio_buffer.append", audio: Buffer.from(samples.buffer).toString("base64") });
    send({ type: "input_audio_buffer.commit" });
  };
  const recorded = async () => {
    await writer.flush();
    return (await store.getSession(session.sessionId))!;
  };
  return { session, ws, events, next, send, speak, recorded };
}

describe("records of a realtime call", () => {
  it("records the session as realtime with both transcripts, tokens, latency, and a later truncation as heard text", async () => {
    const call = await realtimeCall();
    call.speak(1500);
    await call.next("conversation.item.input_audio_transcription.completed");
    call.send({ type: "response.create" });
    await call.next("response.done");
    const item = call.events.find((e) => e.type === "response.output_audio.delta")!.item_id;
    // The visitor stopped hearing it about half way: the relay cuts the transcript in proportion.
    const audioMs =
      call.events.filter((e) => e.type === "response.output_audio.delta").reduce((n, e) => n + String(e.delta).length * 0.75, 0) / 48;
    call.send({ type: "conversation.item.truncate", item_id: item, content_index: 0, audio_end_ms: Math.round(audioMs / 2) });
    await call.next("conversation.item.truncated");
    call.ws.close();
    await once(call.ws, "close");

    await expect.poll(async () => (await call.recorded()).events.some((e) => e.type === "realtime-call-ended")).toBe(true);
    const { session, messages, events } = await call.recorded();
    expect(session.mode).toBe("realtime");
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ["user", "I spoke for 1.5 seconds."],
      ["assistant", "This is the offline demo. You said: I spoke for 1.5 seconds."],
    ]);
    const reply = messages[1]!;
    expect(reply).toMatchObject({
      interrupted: true,
      completionTokens: expect.any(Number),
      latency: { upstreamLlmFirstTokenMs: expect.any(Number) },
    });
    expect(reply.heardText!.length).toBeGreaterThan(5);
    expect(reply.text.startsWith(reply.heardText!)).toBe(true);
    expect(reply.heardText!.length).toBeLessThan(reply.text.length);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["realtime-call", "interruption", "realtime-call-ended"]));
    expect(events.find((e) => e.type === "realtime-call-ended")?.payload).toMatchObject({ reason: "client_closed" });
  });

  it("records a reply cancelled mid-stream as interrupted, and a typed message as the visitor's (not the replayed history)", async () => {
    const call = await realtimeCall();
    // What a reconnecting widget gives the model first: recorded in the session it was said in, not again.
    call.send({
      type: "conversation.item.create",
      item: { id: "va_history_0", type: "message", role: "user", content: [{ type: "input_text", text: "An earlier question" }] },
    });
    call.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text: "Tell me about tents" }] },
    });
    call.send({ type: "response.create" });
    await call.next("response.output_audio.delta");
    call.send({ type: "response.cancel" });
    expect(await call.next("response.done")).toMatchObject({ response: { status: "cancelled" } });
    call.ws.close();
    await expect.poll(async () => (await call.recorded()).messages.length).toBe(2);
    const { messages } = await call.recorded();
    expect(messages.map((m) => [m.role, m.interrupted])).toEqual([
      ["user", false],
      ["assistant", true],
    ]);
    expect(messages[0]!.text).toBe("Tell me about tents");
  });

  it("records a tool call of the agent's tool with the assistant, and its output as a tool message", async () => {
    const call = await realtimeCall();
    // The relay fixed the session with the agent's tools (testAgent offers lookup_order).
    call.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text: "Where is my order? lookup_order 42" }] },
    });
    const called = Promise.all([call.next("response.function_call_arguments.done"), call.next("response.done")]);
    call.send({ type: "response.create" });
    const [args] = await called;
    expect(args).toMatchObject({ name: "lookup_order", arguments: "{}" });
    const callId = String(args.call_id);
    const replied = call.next("response.done");
    call.send({
      type: "conversation.item.create",
      item: { type: "function_call_output", call_id: callId, output: '{"status":"shipped"}' },
    });
    call.send({ type: "response.create" });
    expect(await replied).toMatchObject({ response: { status: "completed" } });
    call.ws.close();

    await expect.poll(async () => (await call.recorded()).events.some((e) => e.type === "realtime-call-ended")).toBe(true);
    const { messages } = await call.recorded();
    const [user, calling, reply] = messages.filter((m) => m.role !== "tool");
    expect(user).toMatchObject({ role: "user", text: "Where is my order? lookup_order 42" });
    expect(calling).toMatchObject({
      role: "assistant",
      text: "",
      interrupted: false,
      completionTokens: expect.any(Number),
      toolCalls: [{ id: callId, name: "lookup_order", arguments: "{}" }],
    });
    expect(reply).toMatchObject({ role: "assistant", text: 'The tool returned: {"status":"shipped"}.', toolCalls: null });
    expect(messages.filter((m) => m.role === "tool")).toEqual([
      expect.objectContaining({ text: '{"status":"shipped"}', toolCallId: callId }),
    ]);
    expect(messages).toHaveLength(4);
  });
});
