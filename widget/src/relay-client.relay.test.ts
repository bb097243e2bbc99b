/** RelayClient and RelaySession against the real relay (with the stand-in upstream) over a socket. */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { TEST_ORIGIN } from "../../relay/test/fixtures.ts";
import { startRelayWithStandin } from "../../relay/test/servers.ts";
import { RelaySession } from "./conversation/relay-session.ts";
import { int16ToFloat32 } from "@voice-agent/dsp";
import type { FeedCommand, FeedEvent } from "./audio/feed-messages.ts";
import { SpeechFeed, type FeedPort } from "./audio/speech-feed.ts";
import type { PlaybackCommand } from "./audio/worklet-messages.ts";
import { RelayClient } from "./relay-client.ts";
import { offerToProvider } from "./realtime-webrtc.ts";
import { WidgetError } from "./widget-error.ts";

const TURN = "turn-0001";

let relay: Awaited<ReturnType<typeof startRelayWithStandin>>;
let clock = Date.now();

beforeAll(async () => {
  relay = await startRelayWithStandin({ now: () => clock });
  // Node's fetch sends no Origin; a browser always does.
  const fetch = globalThis.fetch;
  vi.stubGlobal("fetch", (url: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), origin: TEST_ORIGIN } }),
  );
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await relay.close();
});

const request = { agent: "demo", visitorId: "visitor-0123456789abcdefghij", conversationId: "conversation-1" };

describe("RelayClient against the relay", () => {
  test("refresh renews the token of the same session; the new token works", async () => {
    const client = new RelayClient(relay.url);
    const session = await client.openSession(request);
    clock += 5000;
    const fresh = await client.refreshSession();
    expect(fresh.sessionId).toBe(session.sessionId);
    expect(fresh.token).not.toBe(session.token);
    expect(fresh.expiresAt).toBeGreaterThan(session.expiresAt);
    expect(fresh.sessionEndsAt).toBe(session.sessionEndsAt);
    let text = "";
    for await (const delta of client.chat([{ role: "user", content: "still there" }], {
      turnId: TURN,
      signal: new AbortController().signal,
    }))
      if (delta.type === "text") text += delta.text;
    expect(text).toContain("still there");
  });

  test("the speech feed plays the request speechRequest describes: the audio speech() reads", async () => {
    const client = new RelayClient(relay.url);
    await client.openSession(request);
    const signal = new AbortController().signal;
    const direct: number[] = [];
    for await (const pcm of client.speech("Hello there.", { turnId: TURN, signal })) direct.push(...pcm);
    const events: FeedEvent[] = [];
    const worklet: PlaybackCommand[] = [];
    const port: FeedPort = { postMessage: (e) => events.push(e), onmessage: null };
    new SpeechFeed(port, (command) => worklet.push(command));
    port.onmessage!({
      data: { kind: "speech", replyId: 1, streamId: 1, request: client.speechRequest("Hello there.", TURN) },
    } as MessageEvent<FeedCommand>);
    await vi.waitFor(() => expect(events.at(-1)?.kind).toBe("speech-end"), { timeout: 10_000 });
    const fed = worklet.flatMap((c) => (c.kind === "chunk" ? [...c.samples] : []));
    expect(direct.length).toBeGreaterThan(2400);
    expect(fed).toEqual([...int16ToFloat32(Int16Array.from(direct))]);
    expect(events.filter((e) => e.kind === "speech-audio").reduce((n, e) => n + (e.kind === "speech-audio" ? e.samples : 0), 0)).toBe(
      direct.length,
    );
  });

  test("client tools: a tool call streams back, and the call with its result is accepted", async () => {
    const client = new RelayClient(relay.url);
    await client.openSession(request);
    const signal = new AbortController().signal;
    const deltas = [];
    for await (const delta of client.chat([{ role: "user", content: "lookup_order A17" }], { turnId: TURN, signal })) deltas.push(delta);
    const call = deltas.find((d) => d.type === "tool-call");
    expect(call).toMatchObject({ name: "lookup_order", arguments: "{}" });
    if (call?.type !== "tool-call") throw new Error("no tool call");
    let text = "";
    const messages = [
      { role: "user" as const, content: "lookup_order A17" },
      {
        role: "assistant" as const,
        content: null,
        tool_calls: [{ id: call.id, type: "function" as const, function: { name: call.name, arguments: call.arguments } }],
      },
      { role: "tool" as const, tool_call_id: call.id, content: '{"status":"shipped"}' },
    ];
    for await (const delta of client.chat(messages, { turnId: TURN, signal })) if (delta.type === "text") text += delta.text;
    expect(text).toBe('The tool returned: {"status":"shipped"}.');
  });

  test("RelaySession opens a new session for the conversation once the relay's session has ended", async () => {
    const client = new RelayClient(relay.url);
    const opened: string[] = [];
    const session = new RelaySession(client, request, {
      refreshLeadMs: 1000,
      reconnectDelaysMs: [],
      opened: (s) => opened.push(s.sessionId),
      renewFailed: () => {},
    });
    const first = await session.open();
    clock += 30_000;
    expect((await session.renew()).sessionId).toBe(first.sessionId);
    // The agent's max session length (900 s) passes; the token the client holds is now refused.
    clock = first.sessionEndsAt + 1000;
    await expect(client.refreshSession()).rejects.toMatchObject({
      code: "unauthorized",
      relayCode: expect.stringMatching(/session_expired|token_expired/),
    });
    const next = await session.renew();
    expect(next.sessionId).not.toBe(first.sessionId);
    expect(opened).toEqual([first.sessionId, first.sessionId, next.sessionId]);
    session.close();
  });

  test("a key for a direct WebRTC call names the provider's calls endpoint; a refused or unreachable provider is a typed error", async () => {
    const client = new RelayClient(relay.url);
    const { token } = await client.openSession(request);
    const response = await fetch(`${relay.url}/v1/realtime/client_secrets`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    const key = (await response.json()) as { value: string; expires_at: number; calls_url: string };
    expect(key.calls_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/realtime\/calls$/);
    // Not an offer: the provider (the stand-in) refuses it with 400.
    const refused = await offerToProvider("hello", key).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(WidgetError);
    expect(refused).toMatchObject({ code: "upstream", message: expect.stringContaining("HTTP 400") });
    const unreachable = await offerToProvider("v=0", { ...key, calls_url: "http://127.0.0.1:9/v1/realtime/calls" }).catch(
      (e: unknown) => e,
    );
    expect(unreachable).toMatchObject({ code: "relay-unreachable", message: expect.stringContaining("connect-src") });
    // The key is never in a message.
    expect(`${(refused as Error).message} ${(unreachable as Error).message}`).not.toContain(key.value);
  });
});
