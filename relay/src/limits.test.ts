import { describe, expect, it } from "vitest";
import type { AgentLimits } from "./agent-config.ts";
import { clientIpFrom } from "./client-ip.ts";
import type { CreateSessionResponse, RefreshSessionResponse } from "./protocol.ts";
import { createTestApp, TEST_ORIGIN, testAgent } from "../test/fixtures.ts";
import { toneWav } from "../test/servers.ts";

type App = ReturnType<typeof createTestApp>["app"];

/** An app whose agent has `limits` and whose clock the test moves. */
function appWith(limits: Partial<AgentLimits>, overrides: Parameters<typeof createTestApp>[0] = {}) {
  const clock = { now: 1_800_000_000_000 };
  const agent = { ...testAgent, limits: { ...testAgent.limits, ...limits } };
  const { app } = createTestApp({ agents: [agent], now: () => clock.now, ...overrides });
  return { app, clock };
}

const createSession = (app: App, headers: Record<string, string> = {}) =>
  app.request("/v1/sessions", {
    method: "POST",
    headers: { origin: TEST_ORIGIN, "content-type": "application/json", ...headers },
    body: JSON.stringify({ agent: "demo" }),
  });

async function session(app: App, headers: Record<string, string> = {}): Promise<CreateSessionResponse> {
  const res = await createSession(app, headers);
  expect(res.status).toBe(201);
  return (await res.json()) as CreateSessionResponse;
}

const refresh = (app: App, token: string) =>
  app.request("/v1/sessions/refresh", { method: "POST", headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN } });

async function expectError(res: Response, status: number, code: string) {
  expect({ status: res.status, body: await res.json() }).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
}

describe("session lifetime", () => {
  it("refreshes a token for the same session, never past the session's end", async () => {
    const { app, clock } = appWith({ maxSessionSeconds: 100 }, { tokenTtlMs: 60_000 });
    const created = await session(app);
    expect(created.expiresAt).toBe(clock.now + 60_000);
    expect(created.sessionEndsAt).toBe(clock.now + 100_000);
    clock.now += 50_000;
    const res = await refresh(app, created.token);
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as RefreshSessionResponse;
    expect(refreshed).toEqual({
      sessionId: created.sessionId,
      token: expect.any(String),
      expiresAt: created.sessionEndsAt,
      sessionEndsAt: created.sessionEndsAt,
    });
    clock.now += 40_000;
    expect((await refresh(app, refreshed.token)).status).toBe(200);
    clock.now += 10_000;
    await expectError(await refresh(app, refreshed.token), 401, "session_expired");
  });

  it("ends a session that stays idle longer than the idle timeout, and only that session", async () => {
    const { app, clock } = appWith({ idleTimeoutSeconds: 30 }, { tokenTtlMs: 600_000 });
    const idle = await session(app);
    const busy = await session(app);
    for (let i = 0; i < 4; i++) {
      clock.now += 20_000;
      expect((await refresh(app, busy.token)).status).toBe(200);
    }
    await expectError(await refresh(app, idle.token), 401, "session_idle");
    // Once ended by idling, it stays ended.
    await expectError(await refresh(app, idle.token), 401, "session_idle");
    expect((await refresh(app, busy.token)).status).toBe(200);
  });
});

describe("rate limits", () => {
  it("limits requests per minute per session with Retry-After, without touching other sessions", async () => {
    const { app, clock } = appWith({ requestsPerMinute: 3 }, { tokenTtlMs: 600_000 });
    const a = await session(app);
    const b = await session(app);
    for (let i = 0; i < 3; i++) expect((await refresh(app, a.token)).status).toBe(200);
    clock.now += 15_000;
    const limited = await refresh(app, a.token);
    expect(limited.headers.get("retry-after")).toBe("45");
    await expectError(limited, 429, "rate_limited");
    expect((await refresh(app, b.token)).status).toBe(200);
    clock.now += 45_000;
    expect((await refresh(app, a.token)).status).toBe(200);
  });

  it("limits session creation per client IP, trusting only the proxy's X-Forwarded-For hop", async () => {
    const { app, clock } = appWith({}, { sessionsPerIpPerMinute: 2, clientIp: clientIpFrom(1) });
    const from = (chain: string) => ({ "x-forwarded-for": chain });
    await session(app, from("203.0.113.7"));
    await session(app, from("198.51.100.1, 203.0.113.7"));
    const res = await createSession(app, from("192.0.2.99, 203.0.113.7"));
    expect(res.headers.get("retry-after")).toBe("60");
    await expectError(res, 429, "rate_limited");
    await session(app, from("203.0.113.8"));
    clock.now += 60_000;
    await session(app, from("203.0.113.7"));
  });

  it("limits IPv6 clients per /64, since they can pick any address inside it", async () => {
    const { app } = appWith({}, { sessionsPerIpPerMinute: 2, clientIp: clientIpFrom(1) });
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    await session(app, from("2001:db8:1:2::a"));
    await session(app, from("2001:db8:1:2:ffff:ffff:ffff:b"));
    await expectError(await createSession(app, from("2001:0DB8:0001:0002:0:0:0:c")), 429, "rate_limited");
    await session(app, from("2001:db8:1:3::a"));
    // IPv4 and IPv4-mapped IPv6 are one client.
    await session(app, from("198.51.100.4"));
    await session(app, from("::ffff:198.51.100.4"));
    await expectError(await createSession(app, from("198.51.100.4")), 429, "rate_limited");
  });
});

describe("body and audio limits", () => {
  const post = (app: App, token: string, body: string, contentType?: string) =>
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN, ...(contentType ? { "content-type": contentType } : {}) },
      body,
    });

  it("refuses a body over the agent's maxBodyBytes, by Content-Length or while it streams", async () => {
    const { app } = appWith({ maxBodyBytes: 2048 });
    const { token } = await session(app);
    const big = JSON.stringify({ stream: true, messages: [{ role: "user", content: "x".repeat(3000) }] });
    await expectError(await post(app, token, big, "application/json"), 413, "payload_too_large");
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const res = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN, "content-type": "application/json" },
      body: chunked,
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, "payload_too_large");
  });

  it("refuses an utterance longer than maxUtteranceSeconds, reading the WAV header", async () => {
    const { app } = appWith({ maxUtteranceSeconds: 1 });
    const { token } = await session(app);
    const upload = (seconds: number) => {
      const form = new FormData();
      form.set("file", new Blob([toneWav(seconds) as Uint8Array<ArrayBuffer>], { type: "audio/wav" }), "u.wav");
      return app.request("/v1/audio/transcriptions", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN },
        body: form,
      });
    };
    await expectError(await upload(1.2), 413, "audio_too_long");
    // Under the limit the request goes on to the (unreachable) upstream.
    await expectError(await upload(0.8), 502, "upstream_error");
  });
});
