import { describe, expect, it } from "vitest";
import { signRelayToken } from "./relay-token.ts";
import { createTestApp, createToken, TEST_ORIGIN } from "../test/fixtures.ts";

const speech = (app: ReturnType<typeof createTestApp>["app"], headers: Record<string, string>) =>
  app.request("/v1/audio/speech", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ input: "hello" }),
  });

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
}

describe("requireSession", () => {
  it("answers 401 unauthorized without a token", async () => {
    await expectError(await speech(createTestApp().app, { origin: TEST_ORIGIN }), 401, "unauthorized");
  });

  it("answers 401 unauthorized for a token signed with another secret", async () => {
    const forged = await signRelayToken(
      { sid: "s", agent: "demo", origin: TEST_ORIGIN, exp: Math.floor(Date.now() / 1000) + 60, end: Math.floor(Date.now() / 1000) + 600 },
      "another-secret-0123456789abcdef0123456789",
    );
    await expectError(await speech(createTestApp().app, { authorization: `Bearer ${forged}` }), 401, "unauthorized");
  });

  it("answers 401 token_expired once the TTL has passed", async () => {
    let now = 1_800_000_000_000;
    const { app } = createTestApp({ now: () => now, tokenTtlMs: 60_000 });
    const token = await createToken(app);
    now += 61_000;
    await expectError(await speech(app, { authorization: `Bearer ${token}`, origin: TEST_ORIGIN }), 401, "token_expired");
  });

  it("answers 403 origin_not_allowed when the Origin differs from the token's", async () => {
    const { app } = createTestApp();
    const token = await createToken(app);
    const res = await speech(app, { authorization: `Bearer ${token}`, origin: "https://evil.example" });
    await expectError(res, 403, "origin_not_allowed");
  });

  it("takes the agent from the token: a disabled agent's token stops working", async () => {
    const { app } = createTestApp();
    const token = await signRelayToken(
      { sid: "s", agent: "off", origin: TEST_ORIGIN, exp: Math.floor(Date.now() / 1000) + 60, end: Math.floor(Date.now() / 1000) + 600 },
      "test-secret-0123456789abcdef0123456789",
    );
    await expectError(await speech(app, { authorization: `Bearer ${token}` }), 404, "agent_not_found");
  });
});
