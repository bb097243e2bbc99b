/** `<voice-agent mode="realtime">` through the element: a scripted realtime call and the fake audio engine. */
import { afterEach, describe, expect, test, vi } from "vitest";
import { FakeTransport } from "./testing/fake-transport.ts";
import { mountElement, type Mounted } from "./testing/mount-element.ts";

let m: Mounted | undefined;
afterEach(() => m?.remove());

const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });

async function listening(transport = new FakeTransport(), config: Record<string, unknown> = { greet: false }): Promise<Mounted> {
  const mounted = await mountElement({ attributes: { mode: "realtime" }, config, transport });
  mounted.el.start();
  await until(() => expect(mounted.el.state.kind).toBe("listening"));
  return mounted;
}

const sent = (mounted: Mounted) => mounted.transport.realtimeEvents.map((e) => e.type);

describe("<voice-agent mode=realtime>", () => {
  test("a spoken turn: the utterance is appended at 24 kHz, committed and answered; both sides are in the history", async () => {
    m = await listening();
    expect(m.transport.callsOf("openSession")[0]!.request).toMatchObject({ mode: "realtime" });
    m.transport.transcripts.push("Do you ship to Norway?");
    m.transport.realtimeReplies.push("Yes, we ship to Norway.");
    m.audio.engine.speak(1500);
    await until(() => expect(m!.states().slice(-3)).toEqual(["thinking", "responding", "listening"]));
    expect(sent(m)).toEqual([
      "input_audio_buffer.append",
      "input_audio_buffer.append",
      "input_audio_buffer.append",
      "input_audio_buffer.commit",
      "response.create",
    ]);
    const appended = m.transport.realtimeEvents
      .filter((e) => e.type === "input_audio_buffer.append")
      .reduce((n, e) => n + atob(String(e.audio)).length, 0);
    expect(appended / 48).toBeCloseTo(1500, -1); // 1.5 s of 24 kHz PCM16
    expect(m.el.messages.map((msg) => [msg.role, msg.text])).toEqual([
      ["user", "Do you ship to Norway?"],
      ["assistant", "Yes, we ship to Norway."],
    ]);
    expect(m.el.messages[0]!.utteranceId).toBe(m.el.messages[1]!.utteranceId);
    expect(m.audio.engine.player!.enqueued.length).toBeGreaterThan(0);
    expect(m.of("va-metrics")[0]).toMatchObject({ turnMs: expect.any(Number), interrupted: false });
  });

  test("barge-in: the reply is cancelled and truncated where the visitor stopped hearing it; history keeps the heard part", async () => {
    m = await listening();
    m.audio.engine.player!.holdPlayback = true;
    m.transport.realtimeReplies.push("One two three four five six seven eight nine ten.");
    m.audio.engine.speak(1000);
    await until(() => expect(m!.el.state.kind).toBe("responding"));
    // The whole reply has come (its transcript too); the visitor has heard half of its audio.
    await until(() => expect(m!.of("va-transcript").filter((t) => t.role === "assistant")).toHaveLength(1));
    const replyId = m.audio.engine.player!.enqueued[0]!.replyId;
    const total = m.audio.engine.player!.queuedMs(replyId);
    m.audio.engine.bargeIn(replyId, total / 2);
    expect(m.el.state.kind).toBe("interrupted");
    const truncate = m.transport.realtimeEvents.find((e) => e.type === "conversation.item.truncate");
    expect(truncate).toMatchObject({ content_index: 0, audio_end_ms: Math.round(total / 2) });
    expect(sent(m)).toContain("response.cancel");
    const [interruption] = m.of("va-interruption");
    expect(interruption!.heardText.split(" ").length).toBeLessThan(interruption!.fullText.split(" ").length);
    await until(() => expect(m!.el.messages.find((msg) => msg.role === "assistant")).toMatchObject({ interrupted: true }));
  });

  test("typed text is a user item and a response; client tools run and their results go back before the model goes on", async () => {
    const lookups: unknown[] = [];
    m = await listening(new FakeTransport(), {
      greet: false,
      tools: { lookup_order: (args: unknown) => (lookups.push(args), { status: "shipped" }) },
    });
    m.transport.realtimeReplies.push("tool:lookup_order", "Your order has shipped.");
    m.el.sendText("Where is my order?");
    await until(() => expect(m!.el.messages.at(-1)?.text).toBe("Your order has shipped."));
    expect(lookups).toEqual([{}]);
    expect(m.transport.realtimeEvents.map((e) => [e.type, (e.item as { type?: string } | undefined)?.type])).toEqual([
      ["conversation.item.create", "message"],
      ["response.create", undefined],
      ["conversation.item.create", "function_call_output"],
      ["response.create", undefined],
    ]);
    expect(m.of("va-tool-call")[0]).toMatchObject({ name: "lookup_order" });
  });

  test("a dropped call reconnects and gives the model the conversation so far", async () => {
    m = await listening();
    m.el.sendText("Remember the word marmalade.");
    await until(() => expect(m!.el.messages).toHaveLength(2));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.realtimeEvents.length = 0;
    m.transport.dropRealtime();
    await until(() => expect(m!.states().slice(-2)).toEqual(["reconnecting", "listening"]));
    expect(m.transport.callsOf("openRealtime")).toHaveLength(2);
    expect(m.transport.realtimeEvents.map((e) => (e.item as { role?: string }).role)).toEqual(["user", "assistant"]);
    expect(JSON.stringify(m.transport.realtimeEvents[0])).toContain("marmalade");
  });

  test("provider turns: the mic streams at 24 kHz from the call's start, the provider's commit is the turn, the widget's own end of turn is not", async () => {
    m = await listening(new FakeTransport({ realtimeTurns: "provider" }));
    const engine = m.audio.engine;
    expect(engine.streaming).toBe(true);
    engine.capture(96);
    engine.capture(96);
    const appends = m.transport.realtimeEvents.filter((e) => e.type === "input_audio_buffer.append");
    expect(appends.map((e) => atob(String(e.audio)).length / 48)).toEqual([expect.closeTo(96, -1), expect.closeTo(96, -1)]);
    engine.speak(1000); // the widget's end of turn: not a turn here
    expect(sent(m)).not.toContain("input_audio_buffer.commit");
    m.transport.transcripts.push("Do you ship to Norway?");
    m.transport.realtimeReplies.push("Yes, we ship to Norway.");
    m.transport.endRealtimeTurn();
    await until(() => expect(m!.states().slice(-3)).toEqual(["thinking", "responding", "listening"]));
    expect(sent(m)).not.toContain("response.create"); // the provider answers its own commit
    expect(m.el.messages.map((msg) => [msg.role, msg.text])).toEqual([
      ["user", "Do you ship to Norway?"],
      ["assistant", "Yes, we ship to Norway."],
    ]);
    expect(m.el.messages[0]!.utteranceId).toBe(m.el.messages[1]!.utteranceId);
    expect(m.audio.engine.player!.enqueued.length).toBeGreaterThan(0);
  });

  test("provider turns: nothing streams while muted, and a dropped call stops the stream until the new call is open", async () => {
    m = await listening(new FakeTransport({ realtimeTurns: "provider" }));
    m.el.mute(true);
    m.audio.engine.capture(96);
    expect(sent(m)).toEqual([]);
    m.el.mute(false);
    m.transport.dropRealtime();
    expect(m.audio.engine.streaming).toBe(false);
    await until(() => expect(m!.states().slice(-2)).toEqual(["reconnecting", "listening"]));
    expect(m.audio.engine.streaming).toBe(true);
    m.audio.engine.capture(96);
    expect(sent(m)).toEqual(["input_audio_buffer.append"]);
  });

  test("a reply the provider failed is an upstream error; the question stays in the history", async () => {
    m = await listening();
    m.transport.realtimeReplies.push("failed");
    m.el.sendText("Are you there?");
    await until(() => expect(m!.el.state.kind).toBe("error"));
    expect(m.of("va-error")).toEqual([
      expect.objectContaining({ code: "upstream", fatal: true, message: expect.stringContaining("server had an error") }),
    ]);
    expect(m.el.messages.map((msg) => [msg.role, msg.text])).toEqual([["user", "Are you there?"]]);
  });

  test("a server tool the relay runs shows as working; the reply is what was said before and after it", async () => {
    m = await listening();
    m.transport.realtimeReplies.push("server:track_order Let me check.|Your order ships today.");
    const working: (string | null)[] = [];
    const observer = new MutationObserver(() => working.push(m!.$("[part=state]")!.getAttribute("data-working")));
    observer.observe(m.$("[part=state]")!, { attributes: true });
    m.el.sendText("Where is my order?");
    await until(() => expect(m!.el.messages.at(-1)?.text).toBe("Let me check. Your order ships today."));
    observer.disconnect();
    expect(working).toContain("");
    expect(m.$("[part=state]")!.hasAttribute("data-working")).toBe(false);
    expect(sent(m)).toEqual(["conversation.item.create", "response.create"]); // the relay ran the tool, not the page
  });

  test("barge-in on a server tool's answer truncates the answer's item, at the ms heard of it", async () => {
    m = await listening();
    m.audio.engine.player!.holdPlayback = true;
    m.transport.realtimeReplies.push("server:track_order Let me check.|Your order ships today, by express.");
    m.el.sendText("Where is my order?");
    await until(() => expect(m!.audio.engine.player!.enqueued).toHaveLength(2));
    const [before, answer] = m.audio.engine.player!.enqueued.map((e) => (e.samples / 24_000) * 1000) as [number, number];
    m.audio.engine.bargeIn(m.audio.engine.player!.enqueued[0]!.replyId, before + answer / 2);
    const truncations = m.transport.realtimeEvents.filter((e) => e.type === "conversation.item.truncate");
    expect(truncations).toHaveLength(1);
    expect(truncations[0]!.audio_end_ms).toBe(Math.round(answer / 2));
  });

  test("barge-in before the response was named: its late events are not the next turn's reply", async () => {
    m = await listening();
    m.transport.realtimeReplies.push("The first reply, which the visitor talks over.", "The second reply.");
    m.audio.engine.speak(800);
    m.audio.engine.speak(800); // a second utterance at once: the first response is cancelled unnamed
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    await until(() =>
      expect(m!.el.messages.filter((msg) => msg.role === "assistant").map((msg) => msg.text)).toEqual(["The second reply."]),
    );
  });
});
