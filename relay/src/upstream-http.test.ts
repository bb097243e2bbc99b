import { createServer, type Socket } from "node:net";
import { Hono } from "hono";
import OpenAI, { APIError, APIUserAbortError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../test/servers.ts";
import { createUpstreamFetch, UpstreamResponse, upstreamStream } from "./upstream-http.ts";

/** An upstream that echoes what it received, fails on demand, and streams slowly on /slow. */
const upstreamApp = new Hono()
  .post("/v1/echo", async (c) =>
    c.json({ contentType: c.req.header("content-type"), authorization: c.req.header("authorization"), body: await c.req.text() }),
  )
  .post("/v1/fail", (c) => c.json({ error: { message: "over quota", type: "insufficient_quota" } }, 429))
  .post("/v1/big", (c) => c.json({ text: "x".repeat(4096) }))
  .post("/v1/slow", (c) => {
    let timer: ReturnType<typeof setInterval>;
    const body = new ReadableStream({
      start(controller) {
        timer = setInterval(() => controller.enqueue(new TextEncoder().encode("tick\n")), 10);
      },
      cancel: () => clearInterval(timer),
    });
    return c.body(body, 200, { "content-type": "text/plain" });
  });

let upstream: Awaited<ReturnType<typeof listen>>;
let client: OpenAI;

beforeAll(async () => {
  upstream = await listen(upstreamApp.fetch);
  client = new OpenAI({ baseURL: `${upstream.url}/v1`, apiKey: "sk-upstream", maxRetries: 0, fetch: createUpstreamFetch() });
});
afterAll(() => upstream.close());

describe("createUpstreamFetch (the SDK clients' fetch)", () => {
  it("sends the SDK's JSON request with its headers and answers a Response the SDK parses", async () => {
    const echo = await client.post<{ contentType: string; authorization: string; body: string }>("/echo", { body: { hello: "wörld" } });
    expect(echo.contentType).toBe("application/json");
    expect(echo.authorization).toBe("Bearer sk-upstream");
    expect(JSON.parse(echo.body)).toEqual({ hello: "wörld" });
  });

  it("encodes a multipart body (the SDK's FormData) with its boundary", async () => {
    const form = new FormData();
    form.set("model", "m");
    form.set("file", new File([new Uint8Array([1, 2, 3])], "a.wav", { type: "audio/wav" }));
    const echo = await client.post<{ contentType: string; body: string }>("/echo", { body: form });
    expect(echo.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(echo.body).toContain('name="model"');
    expect(echo.body).toContain('filename="a.wav"');
  });

  it("sends a request once more when its pooled connection was closed by the upstream, and only then", async () => {
    // Answers the first request of each connection (keep-alive), and closes one on its second request
    // without answering: as an upstream whose keep-alive timeout ends just as the relay reuses the socket.
    const connections: number[] = [];
    const server = createServer((socket: Socket) => {
      const index = connections.push(0) - 1;
      socket.on("data", () => {
        if (++connections[index]! > 1) return socket.destroy();
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const fetch = createUpstreamFetch();
      const post = () => fetch(`http://127.0.0.1:${port}/v1/echo`, { method: "POST", body: "{}" });
      expect(await (await post()).json()).toEqual({ ok: true });
      // Reuses the pooled connection, which the upstream closes: sent again on a new one.
      expect(await (await post()).json()).toEqual({ ok: true });
      expect(connections).toEqual([2, 1]);
    } finally {
      server.close();
    }
  });

  it("lets the SDK read an error answer (status and body) into an APIError", async () => {
    const error = await client.post("/fail", { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).message).toContain("over quota");
  });

  it("keeps the answer's body as the Node stream it arrived on, and aborting the signal destroys it", async () => {
    const abort = new AbortController();
    const response = await client.post("/slow", { body: {}, signal: abort.signal }).asResponse();
    expect(response).toBeInstanceOf(UpstreamResponse);
    const stream = upstreamStream(response, "llm");
    const first = await new Promise<Buffer>((resolve) => stream.once("data", resolve));
    expect(first.toString()).toContain("tick");
    abort.abort();
    await new Promise((resolve) => stream.once("close", resolve));
    expect(stream.destroyed).toBe(true);
  });

  it("reads a whole body only within its byte and time limits, and then lets go of the stream", async () => {
    const bounded = new OpenAI({
      baseURL: `${upstream.url}/v1`,
      apiKey: "k",
      maxRetries: 0,
      fetch: createUpstreamFetch({ maxBytes: 1024, timeoutMs: 150 }),
    });
    await expect(bounded.post("/big", { body: {} })).rejects.toThrow(/over 1024 bytes/);
    const started = performance.now();
    const slow = await bounded.post("/slow", { body: {} }).asResponse();
    await expect(slow.text()).rejects.toThrow(/longer than 150 ms/);
    expect(performance.now() - started).toBeLessThan(1500);
    expect((slow as UpstreamResponse).stream.destroyed).toBe(true);
    expect(await client.post<{ text: string }>("/big", { body: {} })).toEqual({ text: "x".repeat(4096) });
  });

  it("rejects with the SDK's abort error when aborted before the answer", async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(client.post("/echo", { body: {}, signal: abort.signal })).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it("adapts another fetch's answer (web body) to a Node stream, and refuses an answer without a body", async () => {
    const chunks: string[] = [];
    for await (const chunk of upstreamStream(new Response("data: 1\n\n"), "llm")) chunks.push(String(chunk));
    expect(chunks.join("")).toBe("data: 1\n\n");
    expect(() => upstreamStream(new Response(null), "tts")).toThrow(/tts upstream answered without a body/);
  });
});
