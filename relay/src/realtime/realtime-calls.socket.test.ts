/**
 * WebRTC calls through the relay's key (`POST /v1/realtime/calls`) against the stand-in's werift peer: a
 * werift peer plays the browser (offer, Opus mic, `oai-events`), the relay creates the call with the
 * agent's session and holds its sideband: records, the session put back, hang-up when the call idles.
 */
import type { RecordedRealtimeCall } from "@voice-agent/standin";
import { connectTestPeer, type TestPeer } from "@voice-agent/standin/webrtc-test-peer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AgentLimitsSchema, type AgentConfig } from "../agent-config.ts";
import { PROVIDER_KEY, TEST_ORIGIN, testAgent } from "../../test/fixtures.ts";
import { openSession, startRelayWithStandin } from "../../test/servers.ts";
import { httpServer } from "../../test/tool-api.ts";
import { BatchingRecordWriter } from "../records/batching-record-writer.ts";
import { SqliteSessionStore } from "../records/sqlite-session-store.ts";

const agent: AgentConfig = {
  ...testAgent,
  realtime: {
    model: "agent-realtime-model",
    voice: "agent-realtime-voice",
    turnDetection: { type: "server_vad", silence_duration_ms: 300 },
    webrtc: "relay",
  },
  limits: AgentLimitsSchema.parse({ idleTimeoutSeconds: 5 }),
};
const cascadeOnly: AgentConfig = { ...testAgent, id: "cascade-only", realtime: undefined };

let stack: Awaited<ReturnType<typeof startRelayWithStandin>>;
let store: SqliteSessionStore;
let writer: BatchingRecordWriter;
let api: Awaited<ReturnType<typeof httpServer>>;
beforeAll(async () => {
  store = new SqliteSessionStore(":memory:");
  await store.migrate();
  writer = new BatchingRecordWriter(store, { flushIntervalMs: 60_000, log: () => {} });
  api = await httpServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"status":"shipped"}'));
  // The stand-in calls a tool its visitor names: every spoken turn's transcript says "I spoke for …".
  const tool = {
    name: "spoke",
    description: "Looks up the order.",
    parameters: { type: "object", properties: {} },
    runs: "server" as const,
  };
  const http = { url: `http://${api.host}/orders`, method: "POST" as const, headers: {}, timeoutMs: 2000 };
  const tooled: AgentConfig = { ...agent, id: "tooled", toolHosts: [api.host], tools: [{ ...tool, http }] };
  stack = await startRelayWithStandin({
    agents: [agent, cascadeOnly, tooled],
    records: { store, writer, adminTokens: [], defaultRetentionDays: 30 },
  });
});
afterAll(async () => {
  await stack.close();
  await api.close();
});

const peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()));
});

const post = (token: string, body: string, type = "application/sdp") =>
  fetch(`${stack.url}/v1/realtime/calls`, {
    method: "POST",
    headers: { origin: TEST_ORIGIN, authorization: `Bearer ${token}`, "content-type": type },
    body,
  });

/** The session's recorded messages as `[role, text]`, once what was queued is written. */
async function recordedMessages(sessionId: string) {
  await writer.flush();
  return (await store.getSession(sessionId))?.messages.map((m) => [m.role, m.text]);
}

async function call(agentId = agent.id) {
  const session = await openSession(stack.url, { agent: agentId, mode: "realtime" });
  const peer = await connectTestPeer(stack.url, { form: "custom", post: (sdp) => post(session.token, sdp) });
  peers.push(peer);
  const record = () =>
    stack.standin.requests.find((r): r is RecordedRealtimeCall => r.route === "realtime-call" && r.callId === callIdOf(peer));
  return { session, peer, record };
}

const callIdOf = (peer: TestPeer) => peer.response.headers.get("location")?.split("/").at(-1);

/** A 300 Hz tone of `ms` at 48 kHz, then `silenceMs` of silence (the stand-in's server VAD hears the tone). */
function tone(ms: number, silenceMs: number): Int16Array {
  const pcm = new Int16Array(48 * (ms + silenceMs));
  for (let i = 0; i < 48 * ms; i++) pcm[i] = Math.round(12_000 * Math.sin((2 * Math.PI * 300 * i) / 48_000));
  return pcm;
}

describe("POST /v1/realtime/calls", () => {
  it("creates the call with the agent's session and the relay's key, and holds its sideband", async () => {
    const { peer, record } = await call();
    expect(peer.response.status).toBe(201);
    expect(peer.response.headers.get("content-type")).toBe("application/sdp");
    expect(peer.response.headers.get("location")).toMatch(/^\/v1\/realtime\/calls\/rtc_standin_\d+$/);
    expect(peer.answer).toMatch(/^v=0/);
    const created = await peer.next("session.created");
    expect(created.session).toMatchObject({ instructions: agent.systemPrompt, model: "agent-realtime-model" });
    await expect.poll(() => record()?.sidebands).toBeGreaterThanOrEqual(1);
    expect(record()).toMatchObject({ transport: "webrtc" });
  });

  it("puts the agent's session back when the browser's channel changes it", async () => {
    const { peer } = await call();
    await peer.next("session.created");
    peer.send({ type: "session.update", session: { type: "realtime", instructions: "You are a pirate." } });
    await expect
      .poll(() => peer.events.filter((e) => e.type === "session.updated").map((e) => (e.session as { instructions: string }).instructions))
      .toEqual(["You are a pirate.", agent.systemPrompt]);
    expect(stack.relay.logs.some((l) => l.msg === "realtime: session put back" && l.fields === "instructions")).toBe(true);
  });

  it("records the spoken turn and the reply from the sideband", async () => {
    const { session, peer, record } = await call();
    await peer.next("session.created");
    await peer.speak(tone(1200, 700));
    await peer.next("output_audio_buffer.stopped");
    expect(record()?.responses).toEqual([{ responseId: expect.any(String), sentAudioMs: expect.any(Number), end: "done" }]);
    await expect
      .poll(() => recordedMessages(session.sessionId), { timeout: 5000 })
      .toEqual([
        ["user", expect.stringMatching(/^I spoke for 1\.\d seconds\.$/)],
        ["assistant", expect.stringMatching(/^This is the offline demo\./)],
      ]);
    const detail = await store.getSession(session.sessionId);
    expect(detail?.session.mode).toBe("realtime");
  });

  it("records the visitor's typed text from the sideband, not the replayed history", async () => {
    const { session, peer } = await call();
    await peer.next("session.created");
    const message = (id: string | undefined, text: string) => ({
      type: "conversation.item.create",
      item: { ...(id ? { id } : {}), type: "message", role: "user", content: [{ type: "input_text", text }] },
    });
    peer.send(message("va_history_0", "An earlier question"));
    peer.send(message(undefined, "Tell me about tents"));
    peer.send({ type: "response.create" });
    await peer.next("output_audio_buffer.stopped");
    await expect
      .poll(() => recordedMessages(session.sessionId), { timeout: 5000 })
      .toEqual([
        ["user", "Tell me about tents"],
        ["assistant", expect.stringMatching(/^This is the offline demo\./)],
      ]);
  });

  it("records a barge-in's truncation the sideband sees", async () => {
    const { session, peer } = await call();
    await peer.next("session.created");
    await peer.speak(tone(1200, 700));
    const started = await peer.next("output_audio_buffer.started");
    const item = (await peer.next("response.output_item.added")).item as { id: string };
    peer.send({ type: "response.cancel" });
    peer.send({ type: "output_audio_buffer.clear" });
    peer.send({ type: "conversation.item.truncate", item_id: item.id, content_index: 0, audio_end_ms: 400 });
    await peer.next("conversation.item.truncated");
    expect(started.response_id).toBeTruthy();
    await expect
      .poll(
        async () => {
          await writer.flush();
          const detail = await store.getSession(session.sessionId);
          return {
            interruptions: detail?.events.filter((e) => e.type === "interruption").map((e) => e.payload.playedMs),
            reply: detail?.messages.find((m) => m.role === "assistant")?.interrupted,
          };
        },
        { timeout: 5000 },
      )
      .toEqual({ interruptions: [400], reply: true });
  });

  it("runs the agent's server tool from the sideband and records it", async () => {
    const { session, peer } = await call("tooled");
    await peer.next("session.created");
    await peer.speak(tone(1200, 700));
    await expect
      .poll(() => peer.events.filter((e) => e.type === "response.output_audio_transcript.done").map((e) => e.transcript), { timeout: 8000 })
      .toContain('The tool returned: {"status":"shipped"}.');
    expect(api.hits).toHaveLength(1);
    await expect
      .poll(
        async () => {
          await writer.flush();
          return (await store.getSession(session.sessionId))?.messages.flatMap((m) => m.toolCalls ?? []);
        },
        { timeout: 5000 },
      )
      .toEqual([expect.objectContaining({ name: "spoke", runs: "server", outcome: "ok", result: '{"status":"shipped"}' })]);
  });

  it("hangs up a call that idles past the agent's idle timeout", async () => {
    const { peer, record } = await call();
    await peer.next("session.created");
    await expect.poll(() => record()?.endedAt, { timeout: 8000, interval: 250 }).toBeGreaterThan(0);
    expect(record()?.endedBy).toBe("hangup");
    expect(stack.relay.logs.some((l) => l.msg === "realtime call ended" && l.reason === "session_idle")).toBe(true);
  }, 12_000);

  it("refuses what is not an offer, an agent without realtime, and no token; the key never leaves", async () => {
    const { token } = await openSession(stack.url, { agent: agent.id });
    const wrongType = await post(token, "v=0\r\n", "application/json");
    expect([wrongType.status, ((await wrongType.json()) as { error: { code: string } }).error.code]).toEqual([
      415,
      "unsupported_media_type",
    ]);
    const notSdp = await post(token, "hello");
    expect([notSdp.status, ((await notSdp.json()) as { error: { code: string } }).error.code]).toEqual([400, "bad_request"]);
    const cascade = await openSession(stack.url, { agent: cascadeOnly.id });
    const none = await post(cascade.token, "v=0\r\n");
    expect([none.status, ((await none.json()) as { error: { code: string } }).error.code]).toEqual([404, "realtime_not_configured"]);
    const anonymous = await fetch(`${stack.url}/v1/realtime/calls`, {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/sdp" },
      body: "v=0",
    });
    expect(anonymous.status).toBe(401);
    expect(JSON.stringify(stack.relay.logs)).not.toContain(PROVIDER_KEY);
  });
});
