import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "./test-server.ts";
import type { TestServer } from "./test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ latency: { llmFirstTokenMs: 0, llmPerTokenMs: 0 } });
});
afterEach(() => fetch(`${server.origin}/__standin/faults`, { method: "DELETE" }));
afterAll(() => server.close());

const arm = (fault: object) =>
  fetch(`${server.origin}/__standin/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
const chat = (signal?: AbortSignal) =>
  fetch(`${server.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer x", "content-type": "application/json" },
    body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "one two three four" }] }),
    ...(signal ? { signal } : {}),
  });

describe("POST /__standin/faults", () => {
  it("fails the next `times` requests to the route with an OpenAI-style error, then recovers", async () => {
    expect((await arm({ route: "chat", kind: "error", times: 2, status: 503 })).status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const response = await chat();
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: "injected_fault", type: "server_error" } });
    }
    expect((await chat()).status).toBe(200);
    expect(await (await fetch(`${server.origin}/__standin/faults`)).json()).toEqual([]);
  });

  it("leaves other routes alone", async () => {
    await arm({ route: "speech", kind: "error" });
    await expect(server.client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] })).resolves.toBeDefined();
    expect(await (await fetch(`${server.origin}/__standin/faults`)).json()).toMatchObject([{ route: "speech", times: 1 }]);
  });

  it("stalls a stream after `afterChunks` chunks until the client leaves", async () => {
    await arm({ route: "chat", kind: "stall", afterChunks: 2 });
    const abort = new AbortController();
    const response = await chat(abort.signal);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const deadline = Date.now() + 400;
    // The chunks may coalesce on the way: read whatever arrives within the window.
    while (Date.now() < deadline) {
      const next = await Promise.race([
        reader.read(),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), deadline - Date.now())),
      ]);
      if (!next || next.done) break;
      text += decoder.decode(next.value);
    }
    const frames = text.split("\n\n").filter(Boolean);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toContain('"role":"assistant"');
    abort.abort();
    await expect.poll(() => server.requests.findLast((r) => r.route === "chat")?.aborted).toBe(true);
  });

  it("slows every chunk down by `delayMs`", async () => {
    await arm({ route: "chat", kind: "slow", delayMs: 60 });
    const started = performance.now();
    const text = await (await chat()).text();
    // role, four words, finish, [DONE]: seven chunks plus the wait before the headers
    expect(performance.now() - started).toBeGreaterThanOrEqual(7 * 60);
    expect(text).toContain("[DONE]");
  });

  it("refuses a malformed fault with a 400 naming the field", async () => {
    for (const [fault, param] of [
      [{ route: "embeddings", kind: "error" }, "route"],
      [{ route: "chat", kind: "explode" }, "kind"],
      [{ route: "chat", kind: "error", times: 0 }, "times"],
      [{ route: "chat", kind: "error", status: 302 }, "status"],
      [{ route: "chat", kind: "drop" }, "kind"],
      [{ route: "realtime-call", kind: "slow" }, "kind"],
      [{ route: "realtime-call", kind: "drop", afterChunks: -1 }, "afterChunks"],
    ] as const) {
      const response = await arm(fault);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_fault", param } });
    }
    expect(await (await arm({ route: "speech", kind: "drop" })).json()).toMatchObject({
      error: { message: "`kind` drop is for route realtime-call only." },
    });
    expect(await (await fetch(`${server.origin}/__standin/faults`)).json()).toEqual([]);
  });
});
