import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStandin } from "./standin.ts";
import type { RecordedRequest } from "./standin.ts";
import { startTestServer } from "./test-server.ts";
import type { TestServer } from "./test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ latency: { llmFirstTokenMs: 0, llmPerTokenMs: 0 } });
});
afterAll(() => server.close());

describe("createStandin", () => {
  it("refuses requests without a bearer token with an OpenAI-style 401", async () => {
    const anonymous = new OpenAI({ apiKey: "x", baseURL: `${server.origin}/v1`, maxRetries: 0, defaultHeaders: { authorization: null } });
    await expect(anonymous.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] })).rejects.toMatchObject({
      status: 401,
      type: "authentication_error",
      code: "invalid_api_key",
    });
    const response = await fetch(`${server.origin}/v1/audio/speech`, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { message: expect.any(String), type: "authentication_error", param: null, code: "invalid_api_key" },
    });
  });

  it("serves and clears the request log for tests in another process", async () => {
    await server.client.chat.completions.create({ model: "log-test", messages: [{ role: "user", content: "hi" }] });
    const log = (await (await fetch(`${server.origin}/__standin/requests`)).json()) as RecordedRequest[];
    expect(log.at(-1)).toMatchObject({ route: "chat", model: "log-test", stream: false });
    expect((await fetch(`${server.origin}/__standin/requests`, { method: "DELETE" })).status).toBe(204);
    expect(await (await fetch(`${server.origin}/__standin/requests`)).json()).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it("answers unknown paths with an OpenAI-style 404", async () => {
    const { app } = createStandin();
    const response = await app.request("/v1/embeddings", { method: "POST", headers: { authorization: "Bearer x" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found", type: "invalid_request_error" } });
  });
});
