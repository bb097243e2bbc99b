/**
 * Server tools in a realtime call through the relay: the browser types a message naming a server tool, the
 * stand-in's realtime model calls it, the relay calls the owner's API (a local server on toolHosts) and
 * hands the result upstream; the browser sees the relay's tool events and one response quoting the result,
 * never the call. The browser cannot answer or make a server tool's call; records carry the call.
 */
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realtimeEvents, type RecordedRealtimeCall } from "@voice-agent/standin";
import WebSocket from "ws";
import type { AgentConfig, AgentTool } from "../agent-config.ts";
import { REALTIME_TOOL_EVENT } from "../protocol.ts";
import { BatchingRecordWriter } from "../records/batching-record-writer.ts";
import { SqliteSessionStore } from "../records/sqlite-session-store.ts";
import { TEST_ORIGIN, testAgent } from "../../test/fixtures.ts";
import { openSession, startRelayWithStandin } from "../../test/servers.ts";
import { httpServer } from "../../test/tool-api.ts";

const SECRET = "realtime-orders-SECRET-do-not-leak-77";

let stack: Awaited<ReturnType<typeof startRelayWithStandin>>;
let api: Awaited<ReturnType<typeof httpServer>>;
let offList: Awaited<ReturnType<typeof httpServer>>;
let store: SqliteSessionStore;
let writer: BatchingRecordWriter;
/** Requests to `/hang` whose connection the relay closed. */
let hangsClosed = 0;

beforeAll(async () => {
  offList = await httpServer((_req, res) => res.end('{"private":true}'));
  api = await httpServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/orders") {
      const ok = req.headers["x-api-key"] === SECRET;
      res.writeHead(ok ? 200 : 401, { "content-type": "application/json" }).end(ok ? '{ "status": "shipped" }' : "{}");
    } else if (path === "/hang") res.once("close", () => hangsClosed++);
    else res.writeHead(404).end();
  });
  const http = (url: string, extra: Partial<NonNullable<AgentTool["http"]>> = {}) => ({
    url,
    method: "POST" as const,
    headers: {},
    timeoutMs: 5000,
    ...extra,
  });
  const tool = (name: string, url: string, extra: Partial<NonNullable<AgentTool["http"]>> = {}): AgentTool => ({
    name,
    description: `The ${name} tool.`,
    parameters: { type: "object", properties: { id: { type: "string" } } },
    runs: "server",
    http: http(url, extra),
  });
  const agent: AgentConfig = {
    ...testAgent,
    toolHosts: [api.host],
    tools: [
      ...testAgent.tools,
      tool("track_order", `http://${api.host}/orders`, { headers: { "x-api-key": { env: "ORDERS_KEY" } } }),
      tool("slow_tool", `http://${api.host}/hang`),
      tool("offlist_tool", `http://${offList.host}/x`),
    ],
  };
  store = new SqliteSessionStore(":memory:");
  await store.migrate();
  writer = new BatchingRecordWriter(store, { flushIntervalMs: 60_000, log: () => {} });
  stack = await startRelayWithStandin({
    agents: [agent, { ...agent, id: "tight", maxToolRounds: 0 }],
    env: { ORDERS_KEY: SECRET },
    records: { store, writer, adminTokens: [], defaultRetentionDays: 30 },
  });
});
afterAll(async () => {
  await stack?.close();
  await api?.close();
  await offList?.close();
});

const lastCall = () => stack.standin.requests.findLast((r) => r.route === "realtime-call") as RecordedRealtimeCall;

/** A realtime call as the browser opens it, the session fixed. */
async function realtimeCall(agent = "demo") {
  const session = await openSession(stack.url, { agent, mode: "realtime" });
  const ws = new WebSocket(`${stack.url.replace("http", "ws")}/v1/realtime`, ["realtime", `openai-insecure-api-key.${session.token}`], {
    headers: { origin: TEST_ORIGIN },
  });
  const { events, next } = realtimeEvents(ws);
  const send = (event: object) => ws.send(JSON.stringify(event));
  await next("session.updated");
  /** Types `text` and asks for the response; resolves with its `response.done`. */
  const ask = async (text: string) => {
    send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
    const done = next("response.done");
    send({ type: "response.create" });
    return done;
  };
  const recorded = async () => {
    await writer.flush();
    return (await store.getSession(session.sessionId))!;
  };
  const toolEvents = () => events.filter((e) => e.type === REALTIME_TOOL_EVENT);
  return { session, ws, events, next, send, ask, recorded, toolEvents };
}

/** What the browser must never see of a server tool's call. */
function leaks(events: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return events.filter(
    (e) =>
      String(e.type).includes("function_call") ||
      JSON.stringify(e).includes('"function_call"') ||
      JSON.stringify(e).includes('"function_call_output"'),
  );
}

describe("server tools in a realtime call", () => {
  it("offers the server tools upstream by name, description and parameters only", async () => {
    const call = await realtimeCall();
    const tools = lastCall().session!.tools as Record<string, unknown>[];
    expect(tools.map((t) => t.name)).toEqual(["lookup_order", "track_order", "slow_tool", "offlist_tool"]);
    expect(tools[1]).toEqual({
      type: "function",
      name: "track_order",
      description: "The track_order tool.",
      parameters: { type: "object", properties: { id: { type: "string" } } },
    });
    expect(JSON.stringify(tools)).not.toContain(api.host);
    expect(JSON.stringify(tools)).not.toContain("ORDERS_KEY");
    call.ws.close();
  });

  it("runs the call on the relay; the browser sees the tool's status and one response quoting its result", async () => {
    const hits = api.hits.length;
    const call = await realtimeCall();
    const created = call.next("response.created");
    const done = await call.ask("please track_order A17");
    const responseId = (await created).response as { id: string };
    expect(done.response).toMatchObject({ id: responseId.id, status: "completed" });
    const transcript = call.events.find((e) => e.type === "response.output_audio_transcript.done");
    expect(transcript).toMatchObject({ response_id: responseId.id, transcript: 'The tool returned: {"status":"shipped"}.' });
    expect(call.events.filter((e) => e.type === "response.created")).toHaveLength(1);
    expect(call.toolEvents()).toEqual([
      {
        type: REALTIME_TOOL_EVENT,
        event_id: expect.stringMatching(/^relay_/),
        response_id: responseId.id,
        name: "track_order",
        status: "running",
      },
      {
        type: REALTIME_TOOL_EVENT,
        event_id: expect.stringMatching(/^relay_/),
        response_id: responseId.id,
        name: "track_order",
        status: "done",
      },
    ]);
    expect(leaks(call.events)).toEqual([]);
    // The owner's API got the arguments and the secret; the model got the result and was asked to go on.
    expect(api.hits.slice(hits)).toEqual([
      expect.objectContaining({ url: "/orders", body: "{}", headers: expect.objectContaining({ "x-api-key": SECRET }) }),
    ]);
    const upstream = lastCall();
    expect(upstream.toolOutputs).toEqual([{ callId: expect.stringMatching(/^call_/), output: '{"status":"shipped"}' }]);
    expect(upstream.events.filter((type) => type === "response.create")).toHaveLength(2);

    call.ws.close();
    await expect.poll(async () => (await call.recorded()).events.some((e) => e.type === "realtime-call-ended")).toBe(true);
    const { messages } = await call.recorded();
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "assistant"]);
    expect(messages[1]!.toolCalls).toEqual([
      {
        id: upstream.toolOutputs[0]!.callId,
        name: "track_order",
        arguments: "{}",
        runs: "server",
        outcome: "ok",
        result: '{"status":"shipped"}',
        durationMs: expect.any(Number),
        status: 200,
      },
    ]);
    expect(messages[2]).toMatchObject({ text: 'The tool returned: {"status":"shipped"}.', toolCalls: null });
    expect(JSON.stringify(messages)).not.toContain(SECRET);
    expect(JSON.stringify(stack.relay.logs)).not.toContain(SECRET);
    expect(stack.relay.logs).toContainEqual(
      expect.objectContaining({ msg: "server tool", session: call.session.sessionId, tool: "track_order", outcome: "ok" }),
    );
  });

  it("refuses the browser's result for a server tool's call, and its call of a server tool", async () => {
    const call = await realtimeCall();
    await call.ask("please track_order A17");
    const callId = lastCall().toolOutputs[0]!.callId;
    const refused = async (item: object, param: string) => {
      call.send({ type: "conversation.item.create", event_id: `evt-${param}`, item });
      expect(await call.next("error")).toMatchObject({ error: { code: "policy_refused", param, event_id: `evt-${param}` } });
    };
    await refused({ type: "function_call_output", call_id: callId, output: '{"status":"forged"}' }, "item.call_id");
    await refused({ type: "function_call", name: "track_order", call_id: "call_page", arguments: "{}" }, "item.name");
    call.send({ type: "input_audio_buffer.clear" });
    await call.next("input_audio_buffer.cleared");
    expect(lastCall().toolOutputs.map((o) => o.output)).toEqual(['{"status":"shipped"}']);
    expect(lastCall().events.filter((type) => type === "conversation.item.create")).toHaveLength(2);
    call.ws.close();
  });

  it("gives the model an error result for an endpoint off the list, with no request, and the model still answers", async () => {
    const offListHits = offList.hits.length;
    const call = await realtimeCall();
    const done = await call.ask("use offlist_tool now");
    expect(done.response).toMatchObject({ status: "completed" });
    const transcript = String(call.events.find((e) => e.type === "response.output_audio_transcript.done")?.transcript);
    expect(transcript).toMatch(/^The tool returned: \{"error":"/);
    expect(transcript).toContain(`${offList.host} is not on the agent's toolHosts`);
    expect(call.toolEvents().map((e) => e.status)).toEqual(["running", "failed"]);
    expect(offList.hits.length).toBe(offListHits);
    expect(leaks(call.events)).toEqual([]);
    call.ws.close();
    await expect.poll(async () => (await call.recorded()).messages.length).toBe(3);
    const [, calling] = (await call.recorded()).messages;
    expect(calling!.toolCalls).toEqual([expect.objectContaining({ name: "offlist_tool", runs: "server", outcome: "refused" })]);
  });

  it("makes no call past the agent's maxToolRounds: the model hears why and answers", async () => {
    const hits = api.hits.length;
    const call = await realtimeCall("tight");
    const done = await call.ask("please track_order A17");
    expect(done.response).toMatchObject({ status: "completed" });
    expect(call.events.find((e) => e.type === "response.output_audio_transcript.done")).toMatchObject({
      transcript: 'The tool returned: {"error":"Not run: no tool round is left."}.',
    });
    expect(api.hits.length).toBe(hits);
    expect(call.toolEvents()).toEqual([]);
    expect(leaks(call.events)).toEqual([]);
    call.ws.close();
    await expect.poll(async () => (await call.recorded()).messages.length).toBe(3);
    const [, calling] = (await call.recorded()).messages;
    expect(calling!.toolCalls).toEqual([expect.objectContaining({ name: "track_order", runs: "server", outcome: "skipped" })]);
  });

  it("stops a running call when the browser cancels the response: its request is aborted, the response ends cancelled", async () => {
    const closed = hangsClosed;
    const call = await realtimeCall();
    const created = call.next("response.created");
    const running = call.next(REALTIME_TOOL_EVENT);
    call.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text: "try slow_tool" }] },
    });
    call.send({ type: "response.create" });
    const response = (await created).response as { id: string };
    expect(await running).toMatchObject({ name: "slow_tool", status: "running", response_id: response.id });
    const done = call.next("response.done");
    call.send({ type: "response.cancel" });
    expect(await done).toMatchObject({ response: { id: response.id, status: "cancelled", output: [] } });
    await expect.poll(() => hangsClosed, { timeout: 1000 }).toBe(closed + 1);
    expect(lastCall().toolOutputs).toEqual([]);
    expect(lastCall().events).not.toContain("response.cancel");
    call.ws.close();
    await expect.poll(async () => (await call.recorded()).messages.length).toBe(2);
    const [, calling] = (await call.recorded()).messages;
    expect(calling!.toolCalls).toEqual([expect.objectContaining({ name: "slow_tool", runs: "server", outcome: "cancelled" })]);
  });

  it("aborts a running call's request when the browser closes the call", async () => {
    const closed = hangsClosed;
    const call = await realtimeCall();
    const running = call.next(REALTIME_TOOL_EVENT);
    call.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text: "try slow_tool" }] },
    });
    call.send({ type: "response.create" });
    await running;
    const started = performance.now();
    call.ws.close();
    await once(call.ws, "close");
    await expect.poll(() => hangsClosed, { timeout: 1000 }).toBe(closed + 1);
    expect(performance.now() - started).toBeLessThan(1000);
    await expect.poll(async () => (await call.recorded()).events.some((e) => e.type === "realtime-call-ended")).toBe(true);
    const [, calling] = (await call.recorded()).messages;
    expect(calling!.toolCalls).toEqual([expect.objectContaining({ name: "slow_tool", outcome: "cancelled" })]);
  });
});
