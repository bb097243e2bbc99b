import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { realtimeEvents, type RealtimeServerEvent } from "./realtime-events.ts";
import type { RecordedRealtimeCall } from "./recorded-request.ts";
import { startTestServer, type TestServer } from "./test-server.ts";
import { connectTestPeer } from "./webrtc-test-peer.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const auth = { authorization: "Bearer test-key" };
const sidebandUrl = (callId: string) => `${server.origin.replace("http", "ws")}/v1/realtime?call_id=${callId}`;
const post = (path: string, init: RequestInit = {}) =>
  fetch(`${server.origin}${path}`, { method: "POST", ...init, headers: { ...auth, ...init.headers } });

/** The first event of `type` a sideband has received, waiting for it if need be (several arrive in one read). */
async function seen(events: RealtimeServerEvent[], type: string): Promise<RealtimeServerEvent> {
  await expect.poll(() => events.some((e) => e.type === type), { timeout: 5_000, interval: 10 }).toBe(true);
  return events.find((e) => e.type === type)!;
}

describe("the stand-in's WebRTC routes", () => {
  it("gives a call the client secret's session (application/sdp), mirrors it to a sideband socket both ways, stops audio on response.cancel and hangs up", async () => {
    const secret = await post("/v1/realtime/client_secrets", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session: { type: "realtime", instructions: "Be kind.", audio: { input: { turn_detection: null } } } }),
    }).then((r) => r.json() as Promise<{ value: string }>);
    const peer = await connectTestPeer(server.origin, { form: "sdp", key: secret.value });
    expect((await peer.next("session.created")).session).toMatchObject({
      instructions: "Be kind.",
      audio: { input: { turn_detection: null } },
    });
    const callId = peer.response.headers.get("location")!.split("/").at(-1)!;

    const sideband = new WebSocket(sidebandUrl(callId), { headers: auth });
    const side = realtimeEvents(sideband);
    await once(sideband, "open");
    sideband.send(
      JSON.stringify({
        type: "conversation.item.create",
        item: { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] },
      }),
    );
    sideband.send(JSON.stringify({ type: "response.create" }));
    await peer.next("output_audio_buffer.started");
    await peer.next("response.done");
    await seen(side.events, "response.done");
    // The sideband sees what the data channel sees from its attach on, the same events with the same ids.
    const first = peer.events.findIndex((e) => e.event_id === side.events[0]!.event_id);
    expect(first).toBeGreaterThan(0);
    expect(side.events.map((e) => e.event_id)).toEqual(peer.events.slice(first, first + side.events.length).map((e) => e.event_id));
    expect(side.events.map((e) => e.type)).toContain("response.done");

    const at = peer.events.length;
    peer.send({ type: "response.cancel" });
    const stopped = await peer.next("output_audio_buffer.stopped", at);
    expect((await seen(side.events, "output_audio_buffer.stopped")).event_id).toBe(stopped.event_id);
    const record = server.requests.find((r): r is RecordedRealtimeCall => r.route === "realtime-call" && r.callId === callId)!;
    expect(record.responses).toEqual([{ responseId: stopped.response_id, sentAudioMs: expect.any(Number), end: "cancelled" }]);
    expect(record.responses![0]!.sentAudioMs).toBeLessThan(1500);
    expect(record.events).toEqual(["conversation.item.create", "response.create", "response.cancel"]);

    const closed = once(sideband, "close");
    const channelClosed = new Promise<void>((resolve) => peer.channel.stateChanged.subscribe((s) => s === "closed" && resolve()));
    const hangup = await post(`/v1/realtime/calls/${callId}/hangup`);
    expect(hangup.status).toBe(200);
    expect((await closed)[0]).toBe(1000);
    await channelClosed;
    expect(record).toMatchObject({ sidebands: 1, endedAt: expect.any(Number), endedBy: "hangup" });
    expect((await post(`/v1/realtime/calls/${callId}/hangup`)).status).toBe(404);
    await peer.close();
  });

  it("refuses a sideband for an unknown call id before the upgrade: 404 call_id_not_found", async () => {
    const ws = new WebSocket(sidebandUrl("rtc_standin_999"), { headers: auth });
    ws.on("error", () => {}); // "Unexpected server response: 404", which the test reads below
    const [, response] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
    // @hono/node-server answers a refused upgrade with the status line and headers only: the JSON error is in the log.
    expect(response.statusCode).toBe(404);
    expect(server.requests.at(-1)).toMatchObject({ route: "rejected", path: "/v1/realtime", status: 404, code: "call_id_not_found" });
  });

  it("refuses bad create-call requests with OpenAI's error shape", async () => {
    const form = (parts: Record<string, string>) => {
      const body = new FormData();
      for (const [name, value] of Object.entries(parts)) body.set(name, value);
      return { body };
    };
    const offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
    const cases: [RequestInit, number, string][] = [
      [{ headers: { "content-type": "text/plain" }, body: offer }, 400, "unsupported_content_type"],
      [form({ session: '{"type":"realtime"}' }), 400, "invalid_offer"],
      [form({ sdp: offer, session: "{not json" }), 400, "invalid_session"],
      [form({ sdp: offer, session: '{"type":"transcription"}' }), 400, "invalid_session"],
      [{ headers: { "content-type": "application/sdp" }, body: "hello" }, 400, "invalid_offer"],
      [form({ sdp: offer }), 400, "invalid_offer"], // no ICE credentials or fingerprint: werift cannot answer it
    ];
    const calls = () => server.requests.filter((r) => r.route === "realtime-call").length;
    const before = calls();
    for (const [init, status, code] of cases) {
      const response = await post("/v1/realtime/calls", init);
      expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([status, code]);
    }
    expect(calls()).toBe(before);
    const anonymous = await fetch(`${server.origin}/v1/realtime/calls`, { method: "POST", body: offer });
    expect(anonymous.status).toBe(401);
    expect((await post("/v1/realtime/calls/rtc_standin_999/hangup")).status).toBe(404);
  });

  it("lets a page post its offer with an ephemeral key across origins (CORS preflight), as OpenAI's API does", async () => {
    const preflight = await fetch(`${server.origin}/v1/realtime/calls`, {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/);
    const refused = await post("/v1/realtime/calls", {
      headers: { origin: "https://shop.example", "content-type": "text/plain" },
      body: "x",
    });
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
    expect(refused.headers.get("access-control-expose-headers")).toBe("location");
    // Only the calls endpoint: the provider's other routes take server keys.
    const chat = await fetch(`${server.origin}/v1/chat/completions`, { method: "OPTIONS", headers: { origin: "https://shop.example" } });
    expect(chat.headers.get("access-control-allow-origin")).toBeNull();
  });
});
