import { createStandin } from "@voice-agent/standin";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CreateSessionResponse, SessionReport } from "../protocol.ts";
import { RECORD_ID_HEADER, TURN_ID_HEADER } from "../protocol.ts";
import { createTestApp, TEST_ORIGIN, testAgent, testUpstreams } from "../../test/fixtures.ts";
import { listen, silentWav } from "../../test/servers.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import type { SessionDetail, SessionRecord } from "./session-record.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

const ADMIN = "admin-token-all-agents-0123456789";
const DEMO_ADMIN = "admin-token-demo-only-0123456789";
const SALES_ADMIN = "admin-token-sales-only-012345678";

describe("session records through the app", () => {
  const standin = createStandin({ latency: { llmFirstTokenMs: 1, llmPerTokenMs: 1 } });
  let close: () => Promise<void>;
  let store: SqliteSessionStore;
  let writer: BatchingRecordWriter;
  let app: ReturnType<typeof createTestApp>["app"];
  let clock = Date.now();

  beforeAll(async () => {
    const upstream = await listen(standin.app.fetch);
    close = upstream.close;
    const upstreams = testUpstreams(`${upstream.url}/v1`);
    store = new SqliteSessionStore(":memory:");
    await store.migrate();
    // A long batching window: only durable writes and explicit flushes reach the store during a test.
    writer = new BatchingRecordWriter(store, { flushIntervalMs: 60_000, log: () => {} });
    app = createTestApp({
      upstreams,
      agents: [
        testAgent,
        { ...testAgent, id: "sales", retentionDays: 7 },
        { ...testAgent, id: "direct", realtime: { ...testAgent.realtime!, webrtc: "direct" } },
      ],
      now: () => clock,
      records: {
        store,
        writer,
        defaultRetentionDays: 30,
        adminTokens: [
          { token: ADMIN, agents: "*" },
          { token: DEMO_ADMIN, agents: ["demo"] },
          { token: SALES_ADMIN, agents: ["sales"] },
        ],
      },
    }).app;
  });
  afterAll(() => close());
  beforeEach(() => {
    // Never back (a test may move the clock ahead), and past the previous test's per-IP window.
    clock = Math.max(Date.now(), clock + 61_000);
  });

  const createSession = async (body: Record<string, unknown> = {}) => {
    const res = await app.request("/v1/sessions", {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ agent: "demo", ...body }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as CreateSessionResponse;
  };
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, origin: TEST_ORIGIN });
  const turnHeader = (turnId: string | undefined) => (turnId ? { [TURN_ID_HEADER]: turnId } : {});
  const transcribe = async (token: string, turnId?: string, speculative = false) => {
    const form = new FormData();
    form.append("file", silentWav(2), "utterance.wav");
    if (speculative) form.append("speculative", "true");
    return app.request("/v1/audio/transcriptions", { method: "POST", headers: { ...auth(token), ...turnHeader(turnId) }, body: form });
  };
  const chat = (token: string, content = "Where is my tent", turnId?: string, speculative = false) =>
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { ...auth(token), "content-type": "application/json", ...turnHeader(turnId) },
      body: JSON.stringify({ stream: true, messages: [{ role: "user", content }], ...(speculative ? { speculative } : {}) }),
    });
  const report = (token: string, reports: SessionReport[]) =>
    app.request("/v1/session-events", {
      method: "POST",
      headers: { ...auth(token), "content-type": "application/json" },
      body: JSON.stringify({ reports }),
    });
  const admin = async <T>(token: string, path: string, method = "GET") => {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T };
  };

  it("records a whole turn: the session, the transcript and the reply before their responses complete, then the widget's reports", async () => {
    const session = await createSession({ visitorId: crypto.randomUUID(), conversationId: "conv-42" });
    expect((await store.getSession(session.sessionId))?.session).toMatchObject({
      status: "pending",
      conversationId: "conv-42",
      agent: "demo",
      origin: TEST_ORIGIN,
    });

    const turnId = crypto.randomUUID();
    const stt = await transcribe(session.token, turnId);
    expect(stt.status).toBe(200);
    const userId = stt.headers.get(RECORD_ID_HEADER);
    const { text } = (await stt.json()) as { text: string };

    // Spoken: the chat request's last user message is the transcript the widget got back.
    const reply = await chat(session.token, text, turnId);
    const replyId = reply.headers.get(RECORD_ID_HEADER);
    expect(reply.headers.get("access-control-expose-headers")).toContain(RECORD_ID_HEADER);
    const sse = await reply.text();
    expect(sse.trimEnd().endsWith("data: [DONE]")).toBe(true);
    // No flush: what the browser has fully received is already committed.
    const detail = await store.getSession(session.sessionId);
    expect(detail?.session.status).toBe("active");
    expect(detail?.messages.map((m) => [m.id, m.role, m.text])).toEqual([
      [userId, "user", text],
      [replyId, "assistant", `This is the offline demo. You said: ${text}`],
    ]);
    expect(detail?.messages[0]).toMatchObject({
      audioDurationMs: 2000,
      utteranceId: turnId,
      latency: { upstreamSttMs: expect.any(Number) },
    });
    expect(detail?.messages[1]).toMatchObject({
      interrupted: false,
      completionTokens: expect.any(Number),
      utteranceId: turnId,
      latency: { upstreamLlmFirstTokenMs: expect.any(Number), upstreamLlmTotalMs: expect.any(Number) },
    });

    const accepted = await report(session.token, [
      { type: "start", sampleRate: 48_000, language: "en-GB" },
      { type: "state", state: "responding" },
      { type: "interruption", messageId: replyId!, turnId, heardText: "This is the offline", playedMs: 1200 },
      { type: "turn-latency", messageId: replyId!, turnId, latency: { sttMs: 400, turnMs: 850 } },
      { type: "end", reason: "hangup" },
    ]);
    expect(accepted.status).toBe(202);
    await writer.flush();
    const after = (await admin<SessionDetail>(ADMIN, `/admin/sessions/${session.sessionId}`)).body;
    expect(after.session).toMatchObject({ status: "completed", endReason: "hangup", client: { sampleRate: 48_000, language: "en-GB" } });
    expect(after.messages[1]).toMatchObject({
      interrupted: true,
      heardText: "This is the offline",
      latency: { sttMs: 400, turnMs: 850, upstreamLlmFirstTokenMs: expect.any(Number) },
    });
    expect(after.events.map((e) => `${e.source}:${e.type}`)).toEqual([
      "widget:start",
      "widget:state",
      "widget:interruption",
      "widget:turn-latency",
      "widget:end",
    ]);
    expect(after.events.find((e) => e.type === "turn-latency")?.payload).toMatchObject({ turnId, latency: { sttMs: 400, turnMs: 850 } });
  });

  it("records a typed turn once and a spoken turn once (its transcript), each before its reply, by turn id", async () => {
    const session = await createSession();
    const chatHistory = (messages: { role: string; content: string }[], turnId: string | undefined) =>
      app.request("/v1/chat/completions", {
        method: "POST",
        headers: { ...auth(session.token), "content-type": "application/json", ...turnHeader(turnId) },
        body: JSON.stringify({ stream: true, messages }),
      });
    const replyTo = (said: string) => `This is the offline demo. You said: ${said}`;
    const typed = "Do you sell tents?";
    const first = await chatHistory([{ role: "user", content: typed }], "turn-typed-1");
    expect(await first.text()).toContain("data: [DONE]");
    // No flush: the typed message was committed before the reply's last byte.
    expect((await store.getSession(session.sessionId))?.messages.map((m) => [m.role, m.text])).toEqual([
      ["user", typed],
      ["assistant", replyTo(typed)],
    ]);

    const stt = await transcribe(session.token, "turn-spoken-2");
    const { text: spoken } = (await stt.json()) as { text: string };
    const history = [
      { role: "user", content: typed },
      { role: "assistant", content: replyTo(typed) },
      { role: "user", content: ` ${spoken} ` },
    ];
    await (await chatHistory(history, "turn-spoken-2")).text();
    // The same words typed as a new turn are recorded again.
    const again = [...history, { role: "assistant", content: replyTo(spoken) }, { role: "user", content: typed }];
    await (await chatHistory(again, "turn-typed-3")).text();
    // A widget from before the turn id: its reply is recorded, its text is not (it may be a transcript).
    await (
      await chatHistory([...again, { role: "assistant", content: replyTo(typed) }, { role: "user", content: "Old widget" }], undefined)
    ).text();

    const { messages, session: recorded } = (await store.getSession(session.sessionId))!;
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ["user", typed],
      ["assistant", replyTo(typed)],
      ["user", spoken],
      ["assistant", expect.stringContaining(spoken)],
      ["user", typed],
      ["assistant", replyTo(typed)],
      ["assistant", `${replyTo("Old widget")}.`],
    ]);
    expect(messages.map((m) => m.utteranceId)).toEqual([
      "turn-typed-1",
      "turn-typed-1",
      "turn-spoken-2",
      "turn-spoken-2",
      "turn-typed-3",
      "turn-typed-3",
      null,
    ]);
    expect(messages[2]?.id).toBe(stt.headers.get(RECORD_ID_HEADER));
    expect(messages[0]).toMatchObject({ audioDurationMs: null, latency: {} });
    expect(messages[0]).not.toHaveProperty("confidence");
    expect(recorded.status).toBe("active");
  });

  it("holds a speculative transcript until its turn's chat request, then records it as the turn's message; drops one never committed", async () => {
    const session = await createSession();
    const abandoned = await transcribe(session.token, "turn-spec-abandoned", true);
    expect(abandoned.headers.get(RECORD_ID_HEADER)).toBeNull();
    const stt = await transcribe(session.token, "turn-spec-1", true);
    const { text } = (await stt.json()) as { text: string };
    await writer.flush();
    expect((await store.getSession(session.sessionId))?.messages).toEqual([]);

    expect(await (await chat(session.token, text, "turn-spec-1")).text()).toContain("data: [DONE]");
    const { messages } = (await store.getSession(session.sessionId))!;
    expect(messages.map((m) => [m.role, m.text, m.utteranceId])).toEqual([
      ["user", text, "turn-spec-1"],
      ["assistant", `This is the offline demo. You said: ${text}`, "turn-spec-1"],
    ]);
    // The transcript's own record (audio length, transcription time), not a text-only message of the chat.
    expect(messages[0]).toMatchObject({ audioDurationMs: 2000, latency: { upstreamSttMs: expect.any(Number) } });
  });

  it("holds a speculative turn (transcript and reply) until the widget reports it committed; a cancelled one leaves an event only", async () => {
    const session = await createSession();
    const messagesOf = async () => (await store.getSession(session.sessionId))!.messages;
    // Committed after the reply's end: the held transcript, what was said and the reply are written then.
    const { text } = (await (await transcribe(session.token, "turn-spec-ended", true)).json()) as { text: string };
    const ended = await chat(session.token, text, "turn-spec-ended", true);
    expect(ended.headers.get(RECORD_ID_HEADER)).toBeTruthy();
    expect(await ended.text()).toContain("data: [DONE]");
    await writer.flush();
    expect(await messagesOf()).toEqual([]);
    expect((await report(session.token, [{ type: "turn-committed", turnId: "turn-spec-ended" }])).status).toBe(202);
    await writer.flush();
    expect((await messagesOf()).map((m) => [m.role, m.text, m.utteranceId, m.audioDurationMs])).toEqual([
      ["user", text, "turn-spec-ended", 2000],
      ["assistant", `This is the offline demo. You said: ${text}`, "turn-spec-ended", null],
    ]);
    expect((await messagesOf())[1]?.id).toBe(ended.headers.get(RECORD_ID_HEADER));

    // Committed while the reply streams, then barged in on: recorded at once, interrupted.
    await transcribe(session.token, "turn-spec-live", true);
    const live = await chat(session.token, Array.from({ length: 40 }, (_, i) => `word${i}`).join(" "), "turn-spec-live", true);
    const reader = live.body!.getReader();
    await reader.read();
    await report(session.token, [{ type: "turn-committed", turnId: "turn-spec-live" }]);
    await reader.read();
    await reader.cancel();
    const liveReply = async () => (await messagesOf()).find((m) => m.utteranceId === "turn-spec-live" && m.role === "assistant");
    await expect.poll(async () => (await liveReply())?.interrupted).toBe(true);
    expect((await messagesOf()).filter((m) => m.utteranceId === "turn-spec-live").map((m) => m.role)).toEqual(["user", "assistant"]);

    // Cancelled before any commit (the visitor went on speaking): nothing but an event, even if committed later.
    await transcribe(session.token, "turn-spec-cancelled", true);
    const cancelled = await chat(session.token, "Where is", "turn-spec-cancelled", true);
    const partial = cancelled.body!.getReader();
    await partial.read();
    await partial.cancel();
    await expect
      .poll(async () => {
        await writer.flush();
        return (await store.getSession(session.sessionId))!.events.some((e) => e.type === "speculation-cancelled");
      })
      .toBe(true);
    // The turn resumed and ended: its own (not speculative) chat request commits the held transcript only.
    await (await chat(session.token, "Where is my tent", "turn-spec-cancelled")).text();
    await writer.flush();
    expect((await messagesOf()).filter((m) => m.utteranceId === "turn-spec-cancelled").map((m) => [m.role, m.text])).toEqual([
      ["user", text],
      ["assistant", "This is the offline demo. You said: Where is my tent."],
    ]);
  });

  it("records the typed turn of a request whose upstream failed, once when retried, not of a request it refused", async () => {
    const session = await createSession();
    const refused = await chat(session.token, "x".repeat(20_001));
    expect(refused.status).toBe(400);
    standin.faults.add({ route: "chat", kind: "error", status: 500 });
    const failed = await chat(session.token, "Is anyone there?", "turn-retried");
    expect(failed.status).toBe(502);
    // No flush: committed before the error response.
    expect((await store.getSession(session.sessionId))?.messages.map((m) => [m.role, m.text])).toEqual([["user", "Is anyone there?"]]);
    await (await chat(session.token, "Is anyone there?", "turn-retried")).text();
    expect((await store.getSession(session.sessionId))?.messages.map((m) => [m.role, m.text])).toEqual([
      ["user", "Is anyone there?"],
      ["assistant", "This is the offline demo. You said: Is anyone there?"],
    ]);
  });

  it("records a reply the browser aborted as interrupted, as far as it got", async () => {
    const session = await createSession();
    const res = await chat(session.token, Array.from({ length: 40 }, (_, i) => `word${i}`).join(" "), "turn-aborted");
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    await writer.flush();
    const reply = async () => (await store.getSession(session.sessionId))?.messages.find((m) => m.role === "assistant");
    await expect.poll(async () => (await reply())?.interrupted).toBe(true);
    expect((await reply())?.text.length).toBeGreaterThan(0);
    const { messages, events } = (await store.getSession(session.sessionId))!;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(events.find((e) => e.type === "reply-aborted")?.payload).toMatchObject({ turnId: "turn-aborted" });
  });

  it("answers a barge-in report that reaches the relay before the reply's end at once, and keeps its heard text", async () => {
    const session = await createSession();
    const res = await chat(session.token, Array.from({ length: 40 }, (_, i) => `word${i}`).join(" "));
    const recordId = res.headers.get(RECORD_ID_HEADER)!;
    const reader = res.body!.getReader();
    await reader.read();
    await reader.read();
    // The reply is still streaming: the store keeps the patch until the reply's message lands.
    expect((await report(session.token, [{ type: "interruption", messageId: recordId, heardText: "This is", playedMs: 300 }])).status).toBe(
      202,
    );
    expect((await store.getSession(session.sessionId))?.messages.find((m) => m.id === recordId)).toBeUndefined();
    await reader.cancel();
    await writer.flush();
    const reply = (await store.getSession(session.sessionId))?.messages.find((m) => m.id === recordId);
    expect(reply).toMatchObject({ role: "assistant", interrupted: true, heardText: "This is" });
  });

  it("records the messages of a direct WebRTC call from the widget's reports, once, and refuses them for an agent the relay records", async () => {
    const session = await createSession({ agent: "direct", mode: "realtime" });
    const user = "0192e4a0-0000-4000-8000-000000000001";
    const reply = "0192e4a0-0000-4000-8000-000000000002";
    const reports: SessionReport[] = [
      { type: "message", messageId: user, role: "user", text: "Where is my tent?", turnId: "turn-direct-1", audioMs: 1200 },
      { type: "message", messageId: reply, role: "assistant", text: "It ships today.", turnId: "turn-direct-1", completionTokens: 7 },
    ];
    expect((await report(session.token, reports)).status).toBe(202);
    // Sent again (a retried batch): nothing doubles.
    expect((await report(session.token, reports)).status).toBe(202);
    expect((await report(session.token, [{ type: "interruption", messageId: reply, heardText: "It ships", playedMs: 400 }])).status).toBe(
      202,
    );
    const { messages, events } = (await store.getSession(session.sessionId))!;
    expect(messages.map((m) => [m.id, m.role, m.text, m.utteranceId])).toEqual([
      [user, "user", "Where is my tent?", "turn-direct-1"],
      [reply, "assistant", "It ships today.", "turn-direct-1"],
    ]);
    expect(messages[0]).toMatchObject({ audioDurationMs: 1200 });
    expect(messages[1]).toMatchObject({ completionTokens: 7, interrupted: true, heardText: "It ships" });
    expect(events.map((e) => e.type)).not.toContain("message");

    const relayed = await createSession({ mode: "realtime" });
    const refused = await report(relayed.token, [{ ...reports[0]!, messageId: "0192e4a0-0000-4000-8000-000000000003" } as SessionReport]);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "bad_request", message: expect.stringContaining("direct") } });
    expect((await store.getSession(relayed.sessionId))!.messages).toEqual([]);
    expect((await report(session.token, [{ ...reports[0]!, messageId: "not-a-uuid" } as SessionReport])).status).toBe(400);
  });

  it("rejects malformed record fields and reports", async () => {
    const bad = await app.request("/v1/sessions", {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ agent: "demo", visitorId: "short" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "bad_request", message: expect.stringContaining("visitorId") } });
    const { token } = await createSession();
    expect((await report(token, [{ type: "end", reason: "nope" } as never])).status).toBe(400);
    expect((await report(token, [])).status).toBe(400);
    const anonymous = await app.request("/v1/session-events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(anonymous.status).toBe(401);
  });

  it("holds the widget's report routes to the agent's body and rate limits, on a budget apart from the turns'", async () => {
    const { token } = await createSession();
    const { maxBodyBytes, requestsPerMinute } = testAgent.limits;
    const huge = JSON.stringify({ reports: [{ type: "error", code: "x", message: "y".repeat(maxBodyBytes) }] });
    const tooLarge = await app.request("/v1/session-events", {
      method: "POST",
      headers: { ...auth(token), "content-type": "application/json" },
      body: huge,
    });
    expect({ status: tooLarge.status, body: await tooLarge.json() }).toMatchObject({
      status: 413,
      body: { error: { code: "payload_too_large" } },
    });
    // The refused request counted too.
    for (let i = 1; i < requestsPerMinute; i++) expect((await report(token, [{ type: "state", state: "listening" }])).status).toBe(202);
    const limited = await report(token, [{ type: "state", state: "listening" }]);
    expect({ status: limited.status, retryAfter: limited.headers.get("retry-after") }).toEqual({ status: 429, retryAfter: "60" });
    const forget = await app.request("/v1/visitor", { method: "DELETE", headers: auth(token) });
    expect(forget.status).toBe(429);
    const turn = await chat(token);
    expect(turn.status).toBe(200);
    expect(await turn.text()).toContain("data: [DONE]");
  });

  it("lists sessions with filters and cursor pagination, exports and deletes one", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createSession()).sessionId);
    const first = await admin<{ sessions: SessionRecord[]; nextCursor: string }>(
      ADMIN,
      "/admin/sessions?agent=demo&status=pending&limit=3",
    );
    expect(first.status).toBe(200);
    expect(first.body.sessions).toHaveLength(3);
    const second = await admin<{ sessions: SessionRecord[] }>(
      ADMIN,
      `/admin/sessions?agent=demo&status=pending&limit=3&cursor=${first.body.nextCursor}`,
    );
    const listed = [...first.body.sessions, ...second.body.sessions].map((s) => s.id);
    expect(listed.slice(0, 5)).toEqual([...ids].reverse());
    expect((await admin(ADMIN, "/admin/sessions?status=bogus")).status).toBe(400);
    expect((await admin(ADMIN, "/admin/sessions?cursor=zzz")).status).toBe(400);
    const future = await admin<{ sessions: SessionRecord[] }>(ADMIN, `/admin/sessions?from=${new Date(clock + 60_000).toISOString()}`);
    expect(future.body.sessions).toEqual([]);

    const exported = await app.request(`/admin/sessions/${ids[0]}/export`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(exported.headers.get("content-disposition")).toContain(`session-${ids[0]}.json`);
    expect(await exported.json()).toMatchObject({ session: { id: ids[0] }, messages: [], events: [] });
    expect((await admin(ADMIN, `/admin/sessions/${ids[0]}`, "DELETE")).status).toBe(204);
    expect((await admin(ADMIN, `/admin/sessions/${ids[0]}`)).status).toBe(404);
    expect((await admin("wrong-token", "/admin/sessions")).status).toBe(401);
    expect((await app.request("/admin/sessions")).status).toBe(401);
  });

  it("times out lapsed sessions and purges by per-agent retention on demand", async () => {
    const lapsed = await createSession();
    const created = clock;
    clock += testAgent.limits.idleTimeoutSeconds * 1000 + 6_000;
    const result = await admin<{ timedOut: number }>(ADMIN, "/admin/purge", "POST");
    expect(result.body.timedOut).toBeGreaterThanOrEqual(1);
    expect((await store.getSession(lapsed.sessionId))?.session).toMatchObject({
      status: "timeout",
      endReason: "lapsed",
      endedAt: created,
      durationMs: 0,
    });
    clock += 31 * 86_400_000;
    const purged = await admin<{ deletedSessions: number }>(ADMIN, "/admin/purge", "POST");
    expect(purged.body.deletedSessions).toBeGreaterThanOrEqual(1);
    expect(await store.getSession(lapsed.sessionId)).toBeUndefined();
  });

  it("keeps a conversation longer than the token's lifetime open while it is active, and records its refreshes", async () => {
    const session = await createSession();
    const created = clock;
    let token = session.token;
    // Ten minutes of conversation, a turn every 50 s (token lifetime 60 s, idle timeout 120 s), refreshing as the widget does.
    for (let turn = 1; turn <= 12; turn++) {
      clock += 50_000;
      const refreshed = await app.request("/v1/sessions/refresh", { method: "POST", headers: auth(token) });
      expect(refreshed.status).toBe(200);
      token = ((await refreshed.json()) as { token: string }).token;
      await (await chat(token, `Question ${turn}`)).text();
      await writer.flush();
      expect((await admin<{ timedOut: number }>(ADMIN, "/admin/purge", "POST")).body.timedOut).toBe(0);
    }
    const lastActive = clock;
    expect((await store.getSession(session.sessionId))?.session).toMatchObject({ status: "active", lastActiveAt: lastActive });
    expect((await report(token, [{ type: "end", reason: "hangup" }])).status).toBe(202);
    const detail = (await store.getSession(session.sessionId))!;
    expect(detail.session).toMatchObject({ status: "completed", endReason: "hangup", durationMs: lastActive - created });
    expect(detail.events.filter((e) => e.type === "token-refreshed")).toHaveLength(12);
  });

  it("records the greeting the widget spoke, and the widget's reports at the time they happened", async () => {
    const session = await createSession();
    expect(session.greetingId).toBe(`${session.sessionId}:greeting`);
    const created = clock;
    // The widget's clock is 1 h behind the relay's; it sends three reports made over 6 s in one batch.
    const widgetClock = clock - 3_600_000;
    clock += 8_000;
    const reports: SessionReport[] = [
      { type: "start", at: widgetClock + 1_000 },
      { type: "greeting", at: widgetClock + 1_200 },
      { type: "interruption", messageId: session.greetingId, heardText: "Hi, I am", playedMs: 700, at: widgetClock + 2_000 },
      { type: "state", state: "listening", at: widgetClock + 7_000 },
    ];
    const res = await app.request("/v1/session-events", {
      method: "POST",
      headers: { ...auth(session.token), "content-type": "application/json" },
      body: JSON.stringify({ reports, sentAt: widgetClock + 7_500 }),
    });
    expect(res.status).toBe(202);
    const detail = (await store.getSession(session.sessionId))!;
    // Received at created + 8000, sent 7500 after the widget's +0: the widget's +0 is the relay's created + 500.
    expect(detail.events.map((e) => [e.type, e.at - created])).toEqual([
      ["start", 1_500],
      ["greeting", 1_700],
      ["interruption", 2_500],
      ["state", 7_500],
    ]);
    expect(detail.events[0]!.payload).toMatchObject({ clientAt: widgetClock + 1_000, skewMs: 3_600_500 });
    expect(detail.session.startedAt! - created).toBe(1_500);
    expect(detail.messages).toMatchObject([
      {
        id: session.greetingId,
        role: "assistant",
        text: testAgent.greeting,
        startAt: created + 1_700,
        interrupted: true,
        heardText: "Hi, I am",
      },
    ]);
  });

  it("records the model's tool calls and the page's results", async () => {
    const session = await createSession();
    const question = { role: "user", content: "Please lookup_order A12" };
    // The stand-in calls a tool the agent declares when the visitor names it.
    await (await chat(session.token, question.content, "turn-tools")).text();
    await writer.flush();
    const [, call] = (await store.getSession(session.sessionId))!.messages;
    expect(call).toMatchObject({
      role: "assistant",
      text: "",
      toolCalls: [{ id: expect.stringMatching(/^call_/), name: "lookup_order", arguments: "{}" }],
    });
    const callId = call!.toolCalls![0]!.id;
    clock += 2_000;
    const res = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { ...auth(session.token), "content-type": "application/json", [TURN_ID_HEADER]: "turn-tools" },
      body: JSON.stringify({
        stream: true,
        messages: [
          question,
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: callId, type: "function", function: { name: "lookup_order", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: callId, content: '{"status":"shipped"}' },
        ],
      }),
    });
    expect(res.status).toBe(200);
    await res.text();
    await writer.flush();
    const messages = (await store.getSession(session.sessionId))!.messages;
    expect(messages.map((m) => [m.role, m.toolCallId, m.role === "assistant" ? (m.toolCalls?.length ?? 0) : null])).toEqual([
      ["user", null, null],
      ["assistant", null, 1],
      ["tool", callId, null],
      ["assistant", null, 0],
    ]);
    expect(messages.map((m) => m.utteranceId)).toEqual(["turn-tools", "turn-tools", "turn-tools", "turn-tools"]);
    expect(messages[2]!.text).toBe('{"status":"shipped"}');
    expect(messages[3]!.text).toContain("shipped");
  });

  describe("isolation", () => {
    it("an agent-scoped admin token cannot read, list or delete another agent's records", async () => {
      const demo = await createSession();
      const salesRes = await app.request("/v1/sessions", {
        method: "POST",
        headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
        body: JSON.stringify({ agent: "sales" }),
      });
      const sales = (await salesRes.json()) as CreateSessionResponse;
      expect((await admin(DEMO_ADMIN, `/admin/sessions/${sales.sessionId}`)).status).toBe(404);
      expect((await admin(DEMO_ADMIN, `/admin/sessions/${sales.sessionId}/export`)).status).toBe(404);
      expect((await admin(DEMO_ADMIN, `/admin/sessions/${sales.sessionId}`, "DELETE")).status).toBe(404);
      expect((await admin(DEMO_ADMIN, "/admin/sessions?agent=sales")).status).toBe(403);
      const visible = await admin<{ sessions: SessionRecord[] }>(DEMO_ADMIN, "/admin/sessions?limit=200");
      expect(visible.body.sessions.every((s) => s.agent === "demo")).toBe(true);
      expect(visible.body.sessions.map((s) => s.id)).toContain(demo.sessionId);
      expect((await admin(SALES_ADMIN, `/admin/sessions/${sales.sessionId}`)).status).toBe(200);
      expect((await admin(SALES_ADMIN, `/admin/sessions/${demo.sessionId}`)).status).toBe(404);
      expect(await store.getSession(sales.sessionId)).toBeDefined();
    });

    it("one visitor's token forgets only that visitor's sessions and cannot touch another's messages", async () => {
      const alice = crypto.randomUUID();
      const bob = crypto.randomUUID();
      const a1 = await createSession({ visitorId: alice });
      const a2 = await createSession({ visitorId: alice });
      const b1 = await createSession({ visitorId: bob });
      const { text: bobSaid } = (await (await transcribe(b1.token)).json()) as { text: string };
      const bobRes = await chat(b1.token, bobSaid);
      const bobReply = bobRes.headers.get(RECORD_ID_HEADER)!;
      await bobRes.text();
      await report(a1.token, [{ type: "interruption", messageId: bobReply, heardText: "hijacked" }]);
      await writer.flush();
      expect((await store.getSession(b1.sessionId))?.messages.find((m) => m.id === bobReply)).toMatchObject({
        interrupted: false,
        heardText: null,
      });

      const forget = await app.request("/v1/visitor", { method: "DELETE", headers: auth(a2.token) });
      expect(forget.status).toBe(200);
      expect(await forget.json()).toEqual({ deletedSessions: 2 });
      expect(await store.getSession(a1.sessionId)).toBeUndefined();
      expect(await store.getSession(a2.sessionId)).toBeUndefined();
      expect((await store.getSession(b1.sessionId))?.messages).toHaveLength(2);
      // The forgotten sessions' tokens are revoked: nothing more can be said, recorded or not.
      const refused = await transcribe(a1.token);
      expect({ status: refused.status, code: ((await refused.json()) as { error: { code: string } }).error.code }).toEqual({
        status: 401,
        code: "session_revoked",
      });
      expect(await store.getSession(a1.sessionId)).toBeUndefined();
      expect((await app.request("/v1/visitor", { method: "DELETE" })).status).toBe(401);
    });
  });
});
