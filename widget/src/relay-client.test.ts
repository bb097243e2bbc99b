import { afterEach, describe, expect, test, vi } from "vitest";
import { RelayClient } from "./relay-client.ts";

const signal = new AbortController().signal;
const TURN = "turn-0001";
const session = { sessionId: "s", token: "tok", expiresAt: 0, agent: { id: "a", name: "A", greeting: "" }, upstream: "provider" };

function sse(frames: unknown[]): Response {
  const body = frames.map((f) => `data: ${typeof f === "string" ? f : JSON.stringify(f)}\n\n`).join("");
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

afterEach(() => vi.unstubAllGlobals());

describe("RelayClient", () => {
  test("sends visitor and conversation ids, then uses the session token", async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => Response.json(session));
    vi.stubGlobal("fetch", fetch);
    const client = new RelayClient("https://relay.test/");
    await client.openSession({ agent: "a", visitorId: "v", conversationId: "c" });
    expect(JSON.parse(fetch.mock.calls[0]![1].body as string)).toEqual({ agent: "a", visitorId: "v", conversationId: "c" });
    fetch.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await client.forgetVisitor();
    expect(fetch.mock.calls[1]![0]).toBe("https://relay.test/v1/visitor");
    expect(fetch.mock.calls[1]![1]).toMatchObject({ method: "DELETE", headers: { authorization: "Bearer tok" } });
  });

  test("sends the turn id with each stage request of a turn, and only with those", async () => {
    const fetch = vi.fn(async (url: string, _init: RequestInit) =>
      url.endsWith("/v1/sessions")
        ? Response.json(session)
        : url.endsWith("/speech")
          ? new Response(new Uint8Array(4))
          : Response.json({ text: "hello" }),
    );
    vi.stubGlobal("fetch", fetch);
    const client = new RelayClient("https://relay.test");
    await client.openSession({ agent: "a" });
    await client.transcribe(new Uint8Array(44), { turnId: TURN, signal });
    for await (const _ of client.speech("hi", { turnId: "turn-0002", signal }));
    await client.report([{ type: "state", state: "listening" }]);
    const sent = fetch.mock.calls.map(([url, init]) => [
      url.slice("https://relay.test".length),
      (init.headers as Record<string, string>)["x-turn-id"],
    ]);
    expect(sent).toEqual([
      ["/v1/sessions", undefined],
      ["/v1/audio/transcriptions", TURN],
      ["/v1/audio/speech", "turn-0002"],
      ["/v1/session-events", undefined],
    ]);
  });

  test.each(["chat", "speech"] as const)(
    "a %s stream whose connection breaks mid-body is relay-unreachable, an abort stays an abort",
    async (kind) => {
      const broken = () => {
        let sent = false;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent) return controller.error(new TypeError("network error"));
            sent = true;
            controller.enqueue(
              new TextEncoder().encode(kind === "chat" ? 'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n' : "\u0001\u0002"),
            );
          },
        });
        return new Response(body, { headers: { "content-type": kind === "chat" ? "text/event-stream" : "audio/pcm" } });
      };
      vi.stubGlobal("fetch", async () => broken());
      const client = new RelayClient("https://relay.test");
      const drain = async (abort: AbortController) => {
        const stream =
          kind === "chat"
            ? client.chat([{ role: "user", content: "hi" }], { turnId: TURN, signal: abort.signal })
            : client.speech("hi", { turnId: TURN, signal: abort.signal });
        for await (const _ of stream);
      };
      await expect(drain(new AbortController())).rejects.toMatchObject({ code: "relay-unreachable" });
      const aborted = new AbortController();
      aborted.abort();
      await expect(drain(aborted)).rejects.toBeInstanceOf(TypeError);
    },
  );

  test("speechRequest describes the request speech() sends, with the current token", async () => {
    const fetch = vi.fn(async (url: string, _init: RequestInit) =>
      url.endsWith("/v1/sessions") ? Response.json(session) : new Response(new Uint8Array(4)),
    );
    vi.stubGlobal("fetch", fetch);
    const client = new RelayClient("https://relay.test/");
    await client.openSession({ agent: "a" });
    for await (const _ of client.speech("Hello there.", { turnId: TURN, signal }));
    const [url, init] = fetch.mock.calls[1]!;
    expect(client.speechRequest("Hello there.", TURN)).toEqual({ url, headers: init.headers, body: init.body });
    expect(init.headers).toMatchObject({ authorization: "Bearer tok", "x-turn-id": TURN });
  });

  test("forgetVisitor treats an older relay's 404 as nothing to delete", async () => {
    vi.stubGlobal("fetch", async () => Response.json({ error: { code: "not_found", message: "no route" } }, { status: 404 }));
    await expect(new RelayClient("https://relay.test").forgetVisitor()).resolves.toBeUndefined();
  });

  test.each([
    [
      429,
      { error: { code: "rate_limited", message: "slow" } },
      { "retry-after": "3" },
      { code: "rate-limited", retryAfterMs: 3000, relayCode: "rate_limited" },
    ],
    [404, { error: { code: "agent_not_found", message: "no agent" } }, {}, { code: "config" }],
    [403, { error: { code: "origin_not_allowed", message: "no" } }, {}, { code: "origin-not-allowed" }],
    [401, { error: { code: "token_expired", message: "old" } }, {}, { code: "unauthorized" }],
    [502, { error: { code: "upstream_error", message: "down" } }, {}, { code: "upstream" }],
    [400, {}, {}, { code: "bad-request" }],
  ])("HTTP %i → %o", async (status, body, headers, expected) => {
    vi.stubGlobal("fetch", async () => Response.json(body, { status, headers }));
    await expect(new RelayClient("https://relay.test").openSession({ agent: "a" })).rejects.toMatchObject(expected);
  });

  test("an expired token renews the session through the owner's hook and retries the request once", async () => {
    let expired = true;
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      if (url.endsWith("/v1/sessions")) return Response.json(session);
      if (expired) return Response.json({ error: { code: "token_expired", message: "old" } }, { status: 401 });
      expect((init.headers as Record<string, string>).authorization).toBe("Bearer tok");
      return Response.json({ text: "hello" });
    });
    vi.stubGlobal("fetch", fetch);
    const client = new RelayClient("https://relay.test");
    await expect(client.transcribe(new Uint8Array(44), { turnId: TURN, signal })).rejects.toMatchObject({
      code: "unauthorized",
      relayCode: "token_expired",
    });
    client.onTokenExpired = async () => {
      await client.openSession({ agent: "a" });
      expired = false;
    };
    expect(await client.transcribe(new Uint8Array(44), { turnId: TURN, signal })).toEqual({ text: "hello" });
    expired = true;
    client.onTokenExpired = async () => {};
    await expect(client.transcribe(new Uint8Array(44), { turnId: TURN, signal })).rejects.toMatchObject({ relayCode: "token_expired" });
  });

  test("a report refused for an expired token is not renewed and sent again (it may land in a new session)", async () => {
    const fetch = vi.fn(async () => Response.json({ error: { code: "token_expired", message: "old" } }, { status: 401 }));
    vi.stubGlobal("fetch", fetch);
    const client = new RelayClient("https://relay.test");
    const renew = vi.fn(async () => {});
    client.onTokenExpired = renew;
    await expect(client.report([{ type: "state", state: "listening" }])).rejects.toMatchObject({ relayCode: "token_expired" });
    expect(renew).not.toHaveBeenCalled();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  test("a draining relay (503 shutting_down, also as a stream's last frame) asks for a reconnect", async () => {
    vi.stubGlobal("fetch", async () =>
      Response.json({ error: { code: "shutting_down", message: "bye" } }, { status: 503, headers: { "retry-after": "1" } }),
    );
    await expect(new RelayClient("https://relay.test").speech("hi", { turnId: TURN, signal }).next()).rejects.toMatchObject({
      code: "relay-unreachable",
      relayCode: "shutting_down",
    });
    vi.stubGlobal("fetch", async () =>
      sse([{ choices: [{ delta: { content: "Hi" } }] }, { error: { code: "shutting_down", message: "bye" } }]),
    );
    const failing = async () => {
      for await (const _ of new RelayClient("https://relay.test").chat([{ role: "user", content: "x" }], { turnId: TURN, signal }));
    };
    await expect(failing()).rejects.toMatchObject({ code: "relay-unreachable", relayCode: "shutting_down" });
  });

  test("a network failure is relay-unreachable", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(new RelayClient("https://relay.test").openSession({ agent: "a" })).rejects.toMatchObject({ code: "relay-unreachable" });
  });

  test("chat yields text, assembled tool calls and usage; an error frame throws", async () => {
    vi.stubGlobal("fetch", async () =>
      sse([
        { choices: [{ delta: { content: "Hi" } }] },
        { choices: [{ delta: { tool_calls: [{ index: 0, id: "c1", function: { name: "f", arguments: "{}" } }] } }] },
        { choices: [{ delta: {}, finish_reason: "tool_calls" }] },
        { choices: [], usage: { completion_tokens: 3 } },
        "[DONE]",
      ]),
    );
    const deltas = [];
    for await (const d of new RelayClient("https://relay.test").chat([{ role: "user", content: "x" }], { turnId: TURN, signal }))
      deltas.push(d);
    expect(deltas).toEqual([
      { type: "text", text: "Hi" },
      { type: "tool-call", id: "c1", name: "f", arguments: "{}" },
      { type: "usage", completionTokens: 3 },
    ]);
    vi.stubGlobal("fetch", async () => sse([{ error: { code: "upstream_timeout", message: "slow" } }]));
    const failing = async () => {
      for await (const _ of new RelayClient("https://relay.test").chat([{ role: "user", content: "x" }], { turnId: TURN, signal }));
    };
    await expect(failing()).rejects.toMatchObject({ code: "upstream" });
  });

  test("transcribe reads JSON, or streamed deltas when the relay streams", async () => {
    vi.stubGlobal("fetch", async () => Response.json({ text: "hello" }));
    expect(await new RelayClient("https://relay.test").transcribe(new Uint8Array(44), { turnId: TURN, signal })).toEqual({ text: "hello" });
    vi.stubGlobal("fetch", async () =>
      sse([
        { type: "transcript.text.delta", delta: "hel" },
        { type: "transcript.text.delta", delta: "lo" },
        { type: "transcript.text.done", text: "hello" },
      ]),
    );
    const interim: string[] = [];
    expect(
      await new RelayClient("https://relay.test").transcribe(new Uint8Array(44), { turnId: TURN, signal }, (t) => interim.push(t)),
    ).toEqual({ text: "hello" });
    expect(interim).toEqual(["hel", "hello"]);
  });

  test("speech yields whole 16-bit samples across odd chunk boundaries", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 0, 2]));
        c.enqueue(new Uint8Array([0, 3, 0]));
        c.close();
      },
    });
    vi.stubGlobal("fetch", async () => new Response(body));
    const chunks: number[][] = [];
    for await (const pcm of new RelayClient("https://relay.test").speech("hi", { turnId: TURN, signal })) chunks.push([...pcm]);
    expect(chunks).toEqual([[1], [2, 3]]);
  });
});
