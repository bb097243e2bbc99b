import { describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "../protocol.ts";
import { verifyRelayToken } from "../relay-token.ts";
import { createTestApp, TEST_ORIGIN, TEST_SECRET, testAgent } from "../../test/fixtures.ts";

const post = (app: ReturnType<typeof createTestApp>["app"], body: unknown, origin?: string) =>
  app.request("/v1/sessions", {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
    body: JSON.stringify(body),
  });

describe("POST /v1/sessions", () => {
  it("tells the widget who ends realtime turns: local when the agent's turn detection is null, nothing without realtime", async () => {
    const local = { ...testAgent, id: "local", realtime: { ...testAgent.realtime!, turnDetection: null } };
    const { realtime: _, ...cascadeOnly } = { ...testAgent, id: "cascade-only" };
    const { app } = createTestApp({ agents: [local, cascadeOnly] });
    const agentOf = async (agent: string) => ((await (await post(app, { agent }, TEST_ORIGIN)).json()) as CreateSessionResponse).agent;
    expect((await agentOf("local")).realtimeTurns).toBe("local");
    expect(await agentOf("cascade-only")).not.toHaveProperty("realtimeTurns");
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
});
