/** The cascade conversation through the element, with a fake relay and a fake audio engine (what every mode does is in voice-agent.contract.browser.test.ts). */
import { afterEach, describe, expect, test, vi } from "vitest";
import type { StoredMessage } from "./history/history-store.ts";
import { MemoryHistoryStore } from "./history/memory-history-store.ts";
import { FakeTransport } from "./testing/fake-transport.ts";
import { mountElement, type Mounted } from "./testing/mount-element.ts";
import { WidgetError } from "./widget-error.ts";

let m: Mounted | undefined;
afterEach(() => m?.remove());

const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });

describe("<voice-agent> conversation", () => {
  test("greeting, one spoken turn split into sentences, back to listening", async () => {
    m = await mountElement();
    m.transport.transcripts.push("What tents do you have?");
    m.transport.replies.push("We have three tents. The best one is the Alpine.");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    expect(m.states()).toEqual(["initializing", "responding", "listening"]);
    expect(m.transport.callsOf("speech").map((c) => c.text)).toEqual(["Hello! How can I help?"]);

    m.audio.engine.speak(1200);
    await until(() => expect(m!.states().at(-1)).toBe("listening"));
    expect(m.states()).toEqual(["initializing", "responding", "listening", "thinking", "responding", "listening"]);
    expect(m.transport.callsOf("speech").map((c) => c.text)).toEqual([
      "Hello! How can I help?",
      "We have three tents.",
      "The best one is the Alpine.",
    ]);
    expect(m.transport.callsOf("transcribe")[0]!.bytes).toBe(44 + 1200 * 16 * 2);
    // The context: greeting, then the visitor's words.
    expect(m.transport.callsOf("chat")[0]!.messages).toEqual([
      { role: "assistant", content: "Hello! How can I help?" },
      { role: "user", content: "What tents do you have?" },
    ]);
    const lines = [...m.el.shadowRoot!.querySelectorAll("li")].map((li) => [li.dataset.role, li.textContent?.trim()]);
    expect(lines).toEqual([
      ["assistant", "Hello! How can I help?"],
      ["user", "What tents do you have?"],
      ["assistant", "We have three tents. The best one is the Alpine."],
    ]);
    expect(m.el.dataset.state).toBe("listening");
    expect(m.of("va-interim").some((i) => i.role === "user" && i.text === "What tents d")).toBe(true);
    expect(m.of("va-transcript").map((t) => t.role)).toEqual(["assistant", "user", "assistant"]);
    const [metrics] = m.of("va-metrics");
    expect(metrics).toMatchObject({ interrupted: false, toolCalls: 0, audioLoop: "worker" });
    expect(metrics!.sttMs).toBeGreaterThanOrEqual(0);
    expect(metrics!.ttsFirstByteMs).toBeGreaterThanOrEqual(0);
    expect(m.of("va-playback")).toHaveLength(2);
    const stored = m.el.messages.at(-1)!;
    expect(stored).toMatchObject({ role: "assistant", audioMs: expect.any(Number), latency: { llmFirstTokenMs: expect.any(Number) } });
  });

  test("the first sentence goes to TTS before the LLM finishes", async () => {
    m = await mountElement({ config: { greet: false } });
    m.transport.replies.push("First sentence here. Second one follows.");
    m.transport.hold();
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.el.sendText("hi");
    await until(() => expect(m!.el.state.kind).toBe("responding"));
    // Held after the first delta: nothing complete yet.
    expect(m.transport.callsOf("speech")).toEqual([]);
    m.transport.release();
    await until(() => expect(m!.transport.callsOf("speech").map((c) => c.text)).toEqual(["First sentence here.", "Second one follows."]));
  });

  test("barge-in: aborts the reply, keeps the heard text, sends only that as context", async () => {
    m = await mountElement({ config: { greet: false } });
    m.transport.replies.push("This is the first part. This is the second part.", "Okay.");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    const player = m.audio.engine.player!;
    player.holdPlayback = true;
    m.el.sendText("tell me");
    await until(() => expect(player.ended).toHaveLength(1));
    const replyId = player.ended[0]!;
    // 24 chars × 40 ms: the first sentence is 920 ms; after 1000 ms the visitor heard a bit of the second.
    const firstMs = player.queuedMs(replyId) / 2;
    m.audio.engine.bargeIn(replyId, firstMs + 300);
    expect(m.el.state.kind).toBe("interrupted");
    const [interruption] = m.of("va-interruption");
    expect(interruption).toMatchObject({
      replyId,
      heardText: "This is the first part. This is",
      fullText: "This is the first part. This is the second part.",
    });
    await until(() => expect(m!.el.messages.at(-1)).toMatchObject({ interrupted: true, heardText: "This is the first part. This is" }));

    m.audio.engine.speak(800);
    await until(() => expect(m!.transport.callsOf("chat")).toHaveLength(2));
    expect(m.transport.callsOf("chat")[1]!.messages).toEqual([
      { role: "user", content: "tell me" },
      { role: "assistant", content: "This is the first part. This is" },
      { role: "user", content: "hello" },
    ]);
    await until(() =>
      expect(m!.states()).toEqual(["initializing", "listening", "thinking", "responding", "interrupted", "thinking", "responding"]),
    );
    expect(m.el.shadowRoot!.querySelector("li[data-interrupted]")?.textContent).toContain("This is the first part. This is");
  });

  test("reports to the session records: start, states, turn latency, interruption with the reply's record id, end", async () => {
    m = await mountElement({ config: { greet: false } });
    m.transport.replies.push("One reply.", "This is the first part. This is the second part.");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.audio.engine.speak(600);
    await until(() => expect(m!.transport.reports.some((r) => r.type === "turn-latency")).toBe(true));
    expect(m.transport.reports[0]).toMatchObject({ type: "start", language: navigator.language, at: expect.any(Number) });
    expect(m.transport.reports.filter((r) => r.type === "state").map((r) => (r as { state: string }).state)).toEqual([
      "listening",
      "thinking",
      "responding",
      "listening",
    ]);
    expect(m.transport.reports.find((r) => r.type === "turn-latency")).toMatchObject({
      messageId: "record-reply-1",
      latency: { sttMs: expect.any(Number), llmFirstTokenMs: expect.any(Number) },
    });
    // One turn id on every request of the turn and in its report.
    const turnId = m.transport.callsOf("transcribe")[0]!.turnId;
    expect(turnId).toMatch(/^[0-9a-f-]{36}$/);
    expect([...m.transport.callsOf("chat"), ...m.transport.callsOf("speech")].map((c) => c.turnId)).toEqual(
      ["chat", "speech"].map(() => turnId),
    );
    expect(m.transport.reports.find((r) => r.type === "turn-latency")).toMatchObject({ turnId });

    const player = m.audio.engine.player!;
    player.holdPlayback = true;
    m.el.sendText("tell me");
    await until(() => expect(player.ended).toHaveLength(2));
    const replyId = player.ended[1]!;
    m.audio.engine.bargeIn(replyId, player.queuedMs(replyId) / 2 + 300);
    // Sent at once, not at the next turn's end.
    await until(() =>
      expect(m!.transport.reports.find((r) => r.type === "interruption")).toEqual({
        type: "interruption",
        at: expect.any(Number),
        messageId: "record-reply-2",
        turnId: m!.transport.callsOf("chat")[1]!.turnId,
        heardText: "This is the first part. This is",
        playedMs: expect.any(Number),
      }),
    );
    expect(m.transport.callsOf("chat")[1]!.turnId).not.toBe(turnId);

    m.el.stop();
    await until(() =>
      expect(m!.transport.callsOf("report").at(-1)).toMatchObject({ keepalive: true, reports: [{ type: "end", reason: "hangup" }] }),
    );
  });

  test("reports the greeting it speaks, and a barge-in into the greeting names the greeting's record", async () => {
    m = await mountElement({ transport: new FakeTransport({ greeting: "Hello, I am the test agent. How can I help?" }) });
    // Held from the first sample: the greeting must still be playing when the visitor barges in.
    m.audio.holdPlayback = true;
    m.el.start();
    await until(() => expect(m!.audio.engines[0]?.player).toBeDefined());
    const player = m.audio.engine.player!;
    await until(() => expect(player.ended).toHaveLength(1));
    const greetingReply = player.ended[0]!;
    m.audio.engine.bargeIn(greetingReply, 400);
    await until(() =>
      expect(m!.transport.reports.find((r) => r.type === "interruption")).toMatchObject({ messageId: "session-1:greeting" }),
    );
    expect(m.transport.reports.filter((r) => r.type === "greeting")).toEqual([{ type: "greeting", at: expect.any(Number) }]);
  });

  test("reports stay in their session: sent before a new session replaces it, or dropped, never recorded in the next", async () => {
    m = await mountElement({
      transport: new FakeTransport({ tokenTtlMs: 300, sessionTtlMs: 300 }),
      config: { greet: false, refreshLeadMs: 100 },
    });
    m.transport.failNext("report", "unauthorized");
    m.el.start();
    await until(() => expect(m!.transport.callsOf("openSession")).toHaveLength(2));
    // Before the switch, the first session's reports went out with its token (and were refused).
    expect(m.transport.callsOf("report").map((c) => [c.sessionId, c.reports.map((r) => r.type)])).toEqual([
      ["session-1", ["start", "state"]],
    ]);
    await until(() => expect(m!.transport.callsOf("openSession")).toHaveLength(3));
    m.el.stop();
    await until(() => expect(m!.transport.callsOf("report").at(-1)).toMatchObject({ keepalive: true }));
    const later = m.transport.callsOf("report").slice(1);
    expect(later.length).toBeGreaterThan(0);
    expect(later.flatMap((c) => c.reports).filter((r) => r.type === "start")).toEqual([]);
  });

  test("a failed report batch is sent again; the page going away reports unload with keepalive", async () => {
    m = await mountElement({ config: { greet: false } });
    m.transport.failNext("report", "relay-unreachable");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.el.sendText("hi");
    await until(() => expect(m!.transport.callsOf("report")).toHaveLength(1));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    // The failed batch goes with the next flush (the next turn's end).
    m.el.sendText("again");
    await until(() => expect(m!.transport.callsOf("report").length).toBeGreaterThanOrEqual(2));
    const delivered = m.transport
      .callsOf("report")
      .slice(1)
      .flatMap((c) => c.reports);
    expect(delivered.filter((r) => r.type === "start")).toHaveLength(1);
    expect(delivered.filter((r) => r.type === "turn-latency")).toHaveLength(2);
    dispatchEvent(new PageTransitionEvent("pagehide"));
    await until(() =>
      expect(m!.transport.callsOf("report").at(-1)).toMatchObject({ keepalive: true, reports: [{ type: "end", reason: "unload" }] }),
    );
    m.el.stop();
    expect(m.transport.reports.filter((r) => r.type === "end")).toHaveLength(1);
  });

  test("a barge-in report for another reply is ignored", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.audio.engine.player!.holdPlayback = true;
    m.el.sendText("hi");
    await until(() => expect(m!.el.state.kind).toBe("responding"));
    m.audio.engine.bargeIn(999, 100);
    expect(m.el.state.kind).toBe("responding");
  });

  test("typing over a reply interrupts it and takes the turn", async () => {
    m = await mountElement({ config: { greet: false } });
    m.transport.replies.push("A long answer that keeps going. And going.");
    m.transport.hold();
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.el.sendText("first");
    await until(() => expect(m!.el.state.kind).toBe("responding"));
    m.el.sendText("second");
    m.transport.release();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    expect(m.states()).toEqual([
      "initializing",
      "listening",
      "thinking",
      "responding",
      "interrupted",
      "thinking",
      "responding",
      "listening",
    ]);
    expect(m.of("va-interruption")[0]!.heardText).toBe("");
  });

  test("muting before the audio engine started mutes the mic it opens", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.mute(true);
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    expect(m.audio.engine.muted).toBe(true);
  });

  test("speaks the greeting while it is being stored: a first IndexedDB write can take seconds", async () => {
    let release!: () => void;
    const stored = new Promise<void>((resolve) => (release = resolve));
    class SlowStore extends MemoryHistoryStore {
      readonly saved: string[] = [];
      override async putMessage(message: StoredMessage): Promise<void> {
        await stored;
        this.saved.push(message.text);
        return super.putMessage(message);
      }
    }
    const store = new SlowStore();
    m = await mountElement({ history: async () => store });
    m.el.start();
    await until(() => expect(m!.transport.callsOf("speech").map((c) => c.text)).toEqual(["Hello! How can I help?"]));
    expect(m.of("va-transcript")).toEqual([]);
    release();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    expect(m.of("va-transcript").map((t) => t.text)).toEqual(["Hello! How can I help?"]);
    expect(new Set(store.saved)).toEqual(new Set(["Hello! How can I help?"]));
  });

  test("stop ends the conversation, releases audio, and start resumes it without a second greeting", async () => {
    m = await mountElement();
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.el.stop();
    expect(m.el.state.kind).toBe("ended");
    expect(m.audio.engines[0]!.closed).toBe(true);
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    const opens = m.transport.callsOf("openSession");
    expect(opens).toHaveLength(2);
    expect(opens[1]!.request.conversationId).toBe(opens[0]!.request.conversationId);
    expect(opens[1]!.request.visitorId).toBe(opens[0]!.request.visitorId);
    expect(opens[0]!.request.visitorId!.length).toBeGreaterThanOrEqual(22);
    expect(m.transport.callsOf("speech")).toHaveLength(1);
  });

  test("sends config.context with every session request: the first, a new one after the relay ended it, and forget's", async () => {
    const context = { name: "Ada", plan: "pro", cartItems: 3, member: true };
    m = await mountElement({ config: { greet: false, context } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.failNextWith("chat", new WidgetError("unauthorized", "idle", undefined, { relayCode: "session_idle" }));
    m.transport.failNextWith("refreshSession", new WidgetError("unauthorized", "idle", undefined, { relayCode: "session_idle" }));
    m.el.sendText("hi");
    await until(() => expect(m!.transport.callsOf("openSession")).toHaveLength(2));
    await m.el.forget();
    const requests = m.transport.callsOf("openSession").map((call) => call.request);
    expect(requests).toHaveLength(3);
    for (const request of requests) expect(request.context).toEqual(context);
  });

  test("sends no context when config.context is not given", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    expect(m.transport.callsOf("openSession")[0]!.request).not.toHaveProperty("context");
  });

  test("refreshes the token of the same session before it expires, without interrupting", async () => {
    m = await mountElement({ transport: new FakeTransport({ tokenTtlMs: 80 }), config: { greet: false, refreshLeadMs: 40 } });
    m.el.start();
    await until(() => expect(m!.transport.callsOf("refreshSession").length).toBeGreaterThanOrEqual(2));
    expect(m.el.state.kind).toBe("listening");
    expect(m.transport.callsOf("openSession")).toHaveLength(1);
    expect(new Set(m.transport.callsOf("refreshSession").map((c) => c.sessionId))).toEqual(new Set(["session-1"]));
  });

  test("reconnects after a network drop with a visible reconnecting state, then asks again what was lost", async () => {
    m = await mountElement({ config: { greet: false } });
    m.transport.replies.push("Yes, I am here.");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.failNext("chat", "relay-unreachable");
    m.transport.failNext("refreshSession", "relay-unreachable");
    m.el.sendText("are you there?");
    await until(() => expect(m!.el.state.kind).toBe("reconnecting"));
    expect(m.$("[part~=state]")!.textContent).toBe("Reconnecting…");
    await until(() => expect(m!.transport.callsOf("chat")).toHaveLength(2));
    await until(() => expect(m!.states().at(-1)).toBe("listening"));
    expect(m.states().slice(-6)).toEqual(["thinking", "reconnecting", "listening", "thinking", "responding", "listening"]);
    // The relay still knows the session: its token is refreshed, no new session.
    expect(m.transport.callsOf("refreshSession")).toHaveLength(2);
    expect(m.transport.callsOf("openSession")).toHaveLength(1);
    // The same question went again, once in the history, and the answer came.
    expect(m.transport.callsOf("chat")[1]!.messages).toEqual([{ role: "user", content: "are you there?" }]);
    const lines = [...m.el.shadowRoot!.querySelectorAll("li")].map((li) => [li.dataset.role, li.textContent?.trim()]);
    expect(lines).toEqual([
      ["user", "are you there?"],
      ["assistant", "Yes, I am here."],
    ]);
  });

  test("a spoken turn whose transcription hit a network drop is transcribed again once reconnected", async () => {
    m = await mountElement({ config: { greet: false } });
    m.transport.transcripts.push("Do you ship abroad?");
    m.transport.replies.push("We ship to the whole EU.");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.failNext("transcribe", "relay-unreachable");
    m.audio.engine.speak(900);
    await until(() => expect(m!.transport.callsOf("chat")).toHaveLength(1));
    await until(() => expect(m!.states().at(-1)).toBe("listening"));
    expect(m.states()).toContain("reconnecting");
    // The same utterance, kept in memory, went again.
    expect(m.transport.callsOf("transcribe").map((c) => c.bytes)).toEqual([44 + 900 * 16 * 2, 44 + 900 * 16 * 2]);
    expect(m.transport.callsOf("chat")[0]!.messages).toEqual([{ role: "user", content: "Do you ship abroad?" }]);
  });

  test("a lost turn is sent again once at most: a second drop leaves it to the visitor", async () => {
    m = await mountElement({ config: { greet: false, reconnectDelaysMs: [5, 5] } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.failNext("chat", "relay-unreachable");
    m.transport.failNext("chat", "relay-unreachable");
    m.el.sendText("hello?");
    await until(() => expect(m!.transport.callsOf("chat")).toHaveLength(2));
    await until(() => expect(m!.states().filter((s) => s === "reconnecting")).toHaveLength(2));
    await until(() => expect(m!.states().at(-1)).toBe("listening"));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(m.transport.callsOf("chat")).toHaveLength(2);
  });
});
