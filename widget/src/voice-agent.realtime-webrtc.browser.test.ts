/**
 * `<voice-agent mode="realtime" transport="webrtc">` through the element: the fake transport's WebRTC call
 * (its data channel's events, the reply framed by `output_audio_buffer.started` / `.stopped`) and the fake
 * audio engine (its barge-in detector's hold and confirmation).
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { FakeTransport } from "./testing/fake-transport.ts";
import { mountElement, type Mounted } from "./testing/mount-element.ts";
import { WidgetError } from "./widget-error.ts";

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
    // Named as history: the relay's records hold these from the session they were said in.
    expect(m.transport.realtimeEvents.map((e) => (e.item as { id?: string }).id)).toEqual(["va_history_0", "va_history_1"]);
  });

  test("a call started with an ephemeral key (direct): the widget reports the transcripts, the reply and its cut to the records", async () => {
    const transport = new FakeTransport({ realtimeWebrtc: "direct" });
    transport.holdRealtimeAudio = true;
    m = await listening(transport);
    expect(m.transport.callsOf("openRealtimeCall")[0]).toMatchObject({ start: "direct" });
    m.transport.transcripts.push("Do you ship to Norway?");
    m.transport.realtimeReplies.push("Yes we ship to Norway and to Sweden.");
    m.audio.engine.speak(1500);
    await until(() => expect(m!.el.messages).toHaveLength(2));
    await until(() => expect(m!.el.messages[1]?.text).toBe("Yes we ship to Norway and to Sweden."));
    const [user, reply] = m.el.messages;
    // Still playing when the visitor talks over it: the reply reported whole is cut where it was heard.
    const replyId = m.audio.engine.watched!;
    m.transport.realtimeHeardMs = 700;
    m.audio.engine.hold(replyId, true);
    m.audio.engine.bargeIn(replyId);
    // Typed text is the visitor's message too; a reply cut before its response ended is reported cut.
    m.transport.realtimeReplies.push("One two three four five six seven eight nine ten eleven twelve.", "Stopped.");
    m.el.sendText("Count for me.");
    await until(() => expect(m!.el.state.kind).toBe("responding"));
    m.el.sendText("Stop counting.");
    await until(() => expect(m!.el.messages.at(-1)?.text).toBe("Stopped."));
    m.transport.stopRealtimeAudio();
    await until(() => expect(m!.el.state.kind).toBe("listening"));

    // Sent at the turn's end, as the other reports.
    const messages = () => m!.transport.reports.filter((r) => r.type === "message");
    await until(() => expect(messages()).toHaveLength(6));
    const turn = user!.utteranceId;
    expect(messages().slice(0, 2)).toEqual([
      {
        type: "message",
        at: expect.any(Number),
        messageId: user!.id,
        role: "user",
        text: "Do you ship to Norway?",
        turnId: turn,
        audioMs: 1500,
      },
      {
        type: "message",
        at: expect.any(Number),
        messageId: reply!.id,
        role: "assistant",
        text: "Yes we ship to Norway and to Sweden.",
        turnId: turn,
        promptTokens: 100,
        completionTokens: 8,
      },
    ]);
    const interruptions = m.transport.reports.filter((r) => r.type === "interruption");
    expect(interruptions).toEqual([
      { type: "interruption", at: expect.any(Number), messageId: reply!.id, turnId: turn, playedMs: 700, heardText: expect.any(String) },
    ]);
    expect("Yes we ship to Norway and to Sweden.".startsWith((interruptions[0] as { heardText: string }).heardText)).toBe(true);
    // A cut reply's heard ms come from the track's stats (asynchronous): its report may follow the next turn's.
    const rest = messages().slice(2);
    expect(rest.map((r) => [r.role, r.text.split(" ")[0], r.interrupted ?? false]).sort()).toEqual([
      ["assistant", "One", true],
      ["assistant", "Stopped.", false],
      ["user", "Count", false],
      ["user", "Stop", false],
    ]);
    const cut = rest.find((r) => r.interrupted)!;
    expect("One two three four five six seven eight nine ten eleven twelve.".startsWith(cut.text)).toBe(true);
    expect(cut.heardText).toBeDefined();
  });

  test("a call the relay starts (the default) reports no messages: the relay records them from its sideband", async () => {
    m = await listening();
    expect(m.transport.callsOf("openRealtimeCall")[0]).toMatchObject({ start: "relay" });
    m.el.sendText("Hello there.");
    await until(() => expect(m!.el.messages).toHaveLength(2));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    expect(m.transport.reports.filter((r) => r.type === "message" || r.type === "interruption")).toEqual([]);
  });

  test("a server tool's call on the data channel is the relay's: no answer from the page, the relay's answer is the same turn", async () => {
    m = await listening(new FakeTransport({ serverTools: ["track_order"] }));
    m.transport.realtimeReplies.push("server:track_order |Your order ships today.");
    m.el.sendText("Where is my order?");
    await until(() => expect(m!.el.messages.map((msg) => msg.text)).toEqual(["Where is my order?", "Your order ships today."]));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    const events = m.transport.realtimeEvents;
    // The page neither answered the call nor asked for a response of its own: the relay does both on the sideband.
    expect(events.filter((e) => (e.item as { type?: string } | undefined)?.type === "function_call_output")).toEqual([]);
    expect(events.filter((e) => e.type === "response.create")).toHaveLength(1);
    expect(m.of("va-tool-call")).toEqual([]);
    const [user, reply] = m.el.messages;
    expect(reply!.utteranceId).toBe(user!.utteranceId);
    expect(m.states().slice(-3)).toEqual(["thinking", "responding", "listening"]);
  });

  test("a session the relay no longer takes when the first call opens (idle while the mic prompt was up) is replaced: the call opens in a new one", async () => {
    const transport = new FakeTransport();
    transport.failNextWith("openRealtimeCall", new WidgetError("unauthorized", "idle", undefined, { relayCode: "session_idle" }));
    m = await listening(transport);
    const sessions = m.transport.callsOf("openSession");
    expect(sessions).toHaveLength(2);
    expect(sessions[1]!.request.conversationId).toBe(sessions[0]!.request.conversationId);
    expect(m.transport.callsOf("openRealtimeCall")).toHaveLength(2);
    expect(m.states()).toEqual(["initializing", "listening"]);
    expect(m.of("va-error")).toEqual([]);
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
