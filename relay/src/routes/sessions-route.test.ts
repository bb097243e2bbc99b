import { describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "../protocol.ts";
import { BatchingRecordWriter } from "../records/batching-record-writer.ts";
import { SqliteSessionStore } from "../records/sqlite-session-store.ts";
import { verifyRelayToken } from "../relay-token.ts";
import { contextAgent, createTestApp, TEST_ORIGIN, TEST_SECRET, testAgent } from "../../test/fixtures.ts";

const post = (app: ReturnType<typeof createTestApp>["app"], body: unknown, origin?: string) =>
  app.request("/v1/sessions", {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
    body: JSON.stringify(body),
  });

describe("POST /v1/sessions", () => {
  it("tells the widget who ends realtime turns and who starts a WebRTC call; nothing of either without realtime", async () => {
    const local = { ...testAgent, id: "local", realtime: { ...testAgent.realtime!, turnDetection: null, webrtc: "direct" as const } };
    const { realtime: _, ...cascadeOnly } = { ...testAgent, id: "cascade-only" };
    const { app } = createTestApp({ agents: [local, cascadeOnly] });
    const agentOf = async (agent: string) => ((await (await post(app, { agent }, TEST_ORIGIN)).json()) as CreateSessionResponse).agent;
    expect(await agentOf("local")).toMatchObject({ realtimeTurns: "local", realtimeWebrtc: "direct" });
    expect(await agentOf("cascade-only")).not.toHaveProperty("realtimeTurns");
    expect(await agentOf("cascade-only")).not.toHaveProperty("realtimeWebrtc");
  });

  it("names the agent's server tools (the relay runs them), not its client tools; nothing without any", async () => {
    const track = {
      name: "track_order",
      description: "Tracks.",
      runs: "server" as const,
      parameters: {},
      http: { url: "https://api.example.com/track", method: "POST" as const, headers: {}, timeoutMs: 5000 },
    };
    const withServer = { ...testAgent, id: "server", tools: [...testAgent.tools, track] };
    const { app } = createTestApp({ agents: [withServer, testAgent] });
    const agentOf = async (agent: string) => ((await (await post(app, { agent }, TEST_ORIGIN)).json()) as CreateSessionResponse).agent;
    expect((await agentOf("server")).serverTools).toEqual(["track_order"]);
    expect(await agentOf("demo")).not.toHaveProperty("serverTools");
  });

  it("creates a session with a token bound to session, agent and origin", async () => {
    const now = 1_800_000_000_000;
    const { app } = createTestApp({ now: () => now, tokenTtlMs: 300_000 });
    const res = await post(app, { agent: "demo" }, TEST_ORIGIN);
    expect(res.status).toBe(201);
    expect(res.headers.get("access-control-allow-origin")).toBe(TEST_ORIGIN);
    const body = (await res.json()) as CreateSessionResponse;
    expect(body.agent).toEqual({
      id: "demo",
      name: "Test agent",
      greeting: "Hello from the test agent.",
      speculation: true,
      maxToolRounds: 3,
      realtimeTurns: "provider",
      realtimeWebrtc: "relay",
    });
    expect(body.upstream).toBe("provider");
    expect(body.expiresAt).toBe(now + 300_000);
    expect(body.sessionEndsAt).toBe(now + testAgent.limits.maxSessionSeconds * 1000);
    const claims = await verifyRelayToken(body.token, TEST_SECRET, now);
    expect(claims).toEqual({
      sid: body.sessionId,
      agent: "demo",
      origin: TEST_ORIGIN,
      exp: (now + 300_000) / 1000,
      end: body.sessionEndsAt / 1000,
    });
  });

  it.each([["nope"], ["off"]])("answers 404 agent_not_found for agent %s", async (agent) => {
    const res = await post(createTestApp().app, { agent }, TEST_ORIGIN);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "agent_not_found" } });
  });

  it.each([["https://evil.example"], [undefined]])("answers 403 origin_not_allowed for origin %s", async (origin) => {
    const res = await post(createTestApp().app, { agent: "demo" }, origin);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "origin_not_allowed" } });
  });

  it("answers 400 bad_request for malformed JSON or a missing agent", async () => {
    const { app } = createTestApp();
    const malformed = await app.request("/v1/sessions", {
      method: "POST",
      headers: { "content-type": "application/json", origin: TEST_ORIGIN },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "bad_request" } });
    const missing = await post(app, {}, TEST_ORIGIN);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: "bad_request", message: expect.stringContaining("agent") } });
  });

  it("keeps the page's validated context in the token and the session record, and nothing in the log", async () => {
    const now = Date.now();
    const store = new SqliteSessionStore(":memory:");
    await store.migrate();
    const writer = new BatchingRecordWriter(store, { flushIntervalMs: 60_000, log: () => {} });
    const records = { store, writer, defaultRetentionDays: 30, adminTokens: [] };
    const { app, logs } = createTestApp({ agents: [contextAgent], now: () => now, records });
    const context = { name: "Ada Lovelace", plan: "pro", cartItems: 0, member: true };
    const res = await post(app, { agent: "demo", context }, TEST_ORIGIN);
    expect(res.status).toBe(201);
    const { token, sessionId } = (await res.json()) as CreateSessionResponse;
    expect((await verifyRelayToken(token, TEST_SECRET, now)).ctx).toEqual(context);
    expect((await store.getSession(sessionId))?.session.context).toEqual(context);
    expect(JSON.stringify(logs)).not.toContain("Lovelace");
    await writer.close();
  });

  it.each([
    [
      "an undeclared variable",
      { plan: "pro", email: "a@b.c" },
      'context.email is not a variable of agent "demo" (it accepts name, plan, cartItems, member)',
    ],
    ["an oversized string", { plan: "pro", name: "x".repeat(61) }, "context.name: expected at most 60 characters (got 61)"],
    ["a number for a string", { plan: "pro", name: 42 }, "context.name: expected a string (got a number)"],
    ["a value not in the enum", { plan: "gold" }, 'context.plan: expected one of "free", "pro"'],
    ["an integer out of range", { plan: "pro", cartItems: 1000 }, "context.cartItems: expected a whole number from 0 to 999"],
    ["a fraction for an integer", { plan: "pro", cartItems: 1.5 }, "context.cartItems: expected a whole number (got a fraction)"],
    ["a string for an integer", { plan: "pro", cartItems: "3" }, "context.cartItems: expected a whole number (got a string)"],
    ["a string for a boolean", { plan: "pro", member: "yes" }, "context.member: expected true or false (got a string)"],
    ["an object for a string", { plan: "pro", name: { first: "Ada" } }, "context.name: expected a string (got an object)"],
    ["a missing required variable", { name: "Ada" }, "context.plan is required"],
  ])("answers 400 context_invalid for %s, naming the variable and the rule", async (_, context, problem) => {
    const { app } = createTestApp({ agents: [contextAgent] });
    const res = await post(app, { agent: "demo", context }, TEST_ORIGIN);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("context_invalid");
    expect(body.error.message).toContain(problem);
  });

  it("counts characters, not UTF-16 units, and lists every problem at once", async () => {
    const { app } = createTestApp({ agents: [contextAgent] });
    expect((await post(app, { agent: "demo", context: { plan: "pro", name: "👩‍💻".repeat(12) } }, TEST_ORIGIN)).status).toBe(201);
    const res = await post(app, { agent: "demo", context: { name: "x".repeat(100), nope: 1 } }, TEST_ORIGIN);
    expect(await res.json()).toEqual({
      error: {
        code: "context_invalid",
        message:
          'Invalid page context: context.name: expected at most 60 characters (got 100); context.nope is not a variable of agent "demo" ' +
          "(it accepts name, plan, cartItems, member); context.plan is required.",
      },
    });
  });

  it("refuses any context for an agent that declares none, and a context that is not an object", async () => {
    const { app } = createTestApp();
    const res = await post(app, { agent: "demo", context: { name: "Ada" } }, TEST_ORIGIN);
    expect(await res.json()).toMatchObject({
      error: {
        code: "context_invalid",
        message: expect.stringContaining('context.name is not a variable of agent "demo" (it accepts no context)'),
      },
    });
    const list = await post(app, { agent: "demo", context: ["Ada"] }, TEST_ORIGIN);
    expect(list.status).toBe(400);
    expect(await list.json()).toMatchObject({ error: { code: "bad_request", message: expect.stringContaining("context") } });
    // An empty context is no context: the token has no ctx claim.
    const empty = (await (await post(app, { agent: "demo", context: {} }, TEST_ORIGIN)).json()) as CreateSessionResponse;
    expect(await verifyRelayToken(empty.token, TEST_SECRET, Date.now())).not.toHaveProperty("ctx");
  });
});
