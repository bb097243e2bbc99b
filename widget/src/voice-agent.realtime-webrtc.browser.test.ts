/**
 * `<voice-agent mode="realtime" transport="webrtc">` through the element: the fake transport's WebRTC call
 * (its data channel's events, the reply framed by `output_audio_buffer.started` / `.stopped`) and the fake
 * audio engine (its barge-in detector's hold and confirmation).
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { FakeTransport } from "./testing/fake-transport.ts";
import { mountElement, type Mounted } from "./testing/mount-element.ts";

let m: Mounted | undefined;
afterEach(() => m?.remove());

const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });

async function listening(transport = new FakeTransport()): Promise<Mounted> {
  const mounted = await mountElement({ attributes: { mode: "realtime", transport: "webrtc" }, config: { greet: false }, transport });
  mounted.el.start();
  await until(() => expect(mounted.el.state.kind).toBe("listening"));
  return mounted;
}

const sent = (mounted: Mounted) => mounted.transport.realtimeEvents.map((e) => e.type);

describe("<voice-agent mode=realtime transport=webrtc>", () => {
  test("a spoken turn: the mic is on the call's track (no appended audio), the reply plays from started to stopped", async () => {
    const transport = new FakeTransport();
    transport.holdRealtimeAudio = true;
    m = await listening(transport);
    expect(m.transport.callsOf("openRealtime")).toEqual([]);
    expect(m.transport.callsOf("openRealtimeCall")).toHaveLength(1);
    m.transport.transcripts.push("Do you ship to Norway?");
    m.transport.realtimeReplies.push("Yes, we ship to Norway.");
    m.audio.engine.speak(1500);
    await until(() => expect(m!.el.messages.map((msg) => msg.text)).toEqual(["Do you ship to Norway?", "Yes, we ship to Norway."]));
    expect(sent(m)).toEqual(["input_audio_buffer.commit", "response.create"]);
    expect(m.transport.realtimeMarks).toBe(1);
    // The response is done, its audio still plays: the barge-in detector watches the mic over it.
    expect(m.el.state.kind).toBe("responding");
    expect(m.audio.engine.watched).toBeDefined();
    m.transport.stopRealtimeAudio();
    await until(() => expect(m!.states().slice(-3)).toEqual(["thinking", "responding", "listening"]));
    expect(m.audio.engine.watched).toBeUndefined();
    expect(m.of("va-metrics")[0]).toMatchObject({ turnMs: expect.any(Number), interrupted: false });
  });

  test("barge-in: the hold mutes the reply at once, the confirmation cancels, clears and truncates at what was heard at the hold", async () => {
    const transport = new FakeTransport();
    transport.holdRealtimeAudio = true;
    m = await listening(transport);
    m.transport.realtimeReplies.push("One two three four five six seven eight nine ten.");
    m.audio.engine.speak(1000);
    await until(() => expect(m!.of("va-transcript").filter((t) => t.role === "assistant")).toHaveLength(1));
    const replyId = m.audio.engine.watched!;
    m.transport.realtimeHeardMs = 900;
    m.audio.engine.hold(replyId, true);
    expect(m.transport.realtimeMutes.at(-1)).toBe(true);
    // A misfire: the reply is heard again. Then the visitor does speak: what they heard is noted at the new hold.
    m.audio.engine.hold(replyId, false);
    expect(m.transport.realtimeMutes.at(-1)).toBe(false);
    m.transport.realtimeHeardMs = 1200;
    m.audio.engine.hold(replyId, true);
    m.transport.realtimeHeardMs = 1500; // played out while muted: not heard
    m.audio.engine.bargeIn(replyId);
    expect(m.el.state.kind).toBe("interrupted");
    expect(sent(m).slice(-2)).toEqual(["response.cancel", "output_audio_buffer.clear"]);
    await until(() => expect(sent(m!)).toContain("conversation.item.truncate"));
    expect(m.transport.realtimeEvents.find((e) => e.type === "conversation.item.truncate")).toMatchObject({
      content_index: 0,
      audio_end_ms: 1200,
    });
    expect(m.audio.engine.watched).toBeUndefined();
    const [interruption] = m.of("va-interruption");
    expect(interruption).toMatchObject({ replyId, playedMs: 1200 });
    expect(interruption!.fullText.startsWith(interruption!.heardText)).toBe(true);
    expect(interruption!.heardText.length).toBeGreaterThan(0);
    expect(interruption!.heardText.length).toBeLessThan(interruption!.fullText.length);
    await until(() => expect(m!.el.messages.find((msg) => msg.role === "assistant")).toMatchObject({ interrupted: true }));
  });

  test("a lost call (data channel closed, ICE failed) reconnects with a new call and gives the model the conversation so far", async () => {
    m = await listening();
    m.el.sendText("Remember the word marmalade.");
    await until(() => expect(m!.el.messages).toHaveLength(2));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.realtimeEvents.length = 0;
    m.transport.dropRealtime();
    await until(() => expect(m!.states().slice(-2)).toEqual(["reconnecting", "listening"]));
    expect(m.transport.callsOf("openRealtimeCall")).toHaveLength(2);
    expect(m.transport.realtimeEvents.map((e) => (e.item as { role?: string }).role)).toEqual(["user", "assistant"]);
  });

  test("a refused offer fails as the WebSocket's refusal does", async () => {
    const transport = new FakeTransport();
    transport.failNext("openRealtimeCall", "relay-unreachable");
    m = await mountElement({ attributes: { mode: "realtime", transport: "webrtc" }, config: { greet: false }, transport });
    m.el.start();
    await until(() => expect(m!.el.state).toMatchObject({ kind: "error", code: "relay-unreachable" }));
  });

  test("an unknown transport is a config error", async () => {
    m = await mountElement({ attributes: { mode: "realtime", transport: "rtc" }, config: { greet: false } });
    expect(() => m!.el.start()).toThrow(/transport must be "websocket" \(the default\) or "webrtc"/);
    expect(m.el.state).toMatchObject({ kind: "error", code: "config" });
  });
});
