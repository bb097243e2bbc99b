/**
 * The behaviour of `<voice-agent>` every conversation mode must have (states of a turn, history, errors,
 * tools, reconnect, mute), through the element with the fake relay and audio; run for each mode with a
 * {@link ConversationDriver} that says what differs between them for a test.
 */
import { afterEach, describe, expect, test, vi } from "vitest";
import { DexieHistoryStore } from "../history/dexie-history-store.ts";
import { relayErrorHandling } from "../relay-error-codes.ts";
import { DEFAULT_STRINGS } from "../voice-agent.strings.ts";
import { WidgetError } from "../widget-error.ts";
import type { FakeTransport } from "./fake-transport.ts";
import { mountElement, type Mounted, type MountOptions } from "./mount-element.ts";

/** What differs between the modes for the contract's tests, on the fake relay. */
export interface ConversationDriver {
  readonly mode: "cascade" | "realtime";
  /** The next spoken turn's transcript. */
  transcript(transport: FakeTransport, text: string): void;
  /** The next reply's text. */
  reply(transport: FakeTransport, text: string): void;
  /** The next reply calls client tool `name` with `args`; the model's reply to its result is `then`. */
  toolReply(transport: FakeTransport, name: string, args: unknown, then: string): void;
  /** The tool results the model was given so far (their JSON text), in order. */
  toolResults(transport: FakeTransport): string[];
  /** The relay refuses the next turn's reply with its error `relayCode` (`upstream_error`, `rate_limited`, …). */
  refuseNextReply(transport: FakeTransport, relayCode: string): void;
  /**
   * The network drops; the conversation sees it where the mode does (the cascade at its next request, the
   * realtime call at once, as its socket closes).
   */
  dropConnection(transport: FakeTransport): void;
  /** Utterances of the visitor that went to the relay so far. */
  utterancesSent(transport: FakeTransport): number;
}

const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });
const lines = (m: Mounted) => m.el.messages.map((msg) => [msg.role, msg.text]);
let databases = 0;

/** Registers the contract's tests for the mode of `driver`. */
export function conversationContract(driver: ConversationDriver): void {
  describe(`Conversation contract: mode=${driver.mode}`, () => {
    let m: Mounted | undefined;
    afterEach(() => m?.remove());

    const mount = (options: MountOptions = {}) =>
      mountElement({ ...options, attributes: { mode: driver.mode, ...options.attributes }, config: { greet: false, ...options.config } });

    /** Mounts, starts and waits for `listening`. */
    async function listening(options: MountOptions = {}): Promise<Mounted> {
      const mounted = (m = await mount(options));
      mounted.el.start();
      await until(() => expect(mounted.el.state.kind).toBe("listening"));
      return mounted;
    }

    /** One typed turn, answered, back in `listening`. */
    async function typedTurn(mounted: Mounted, text: string): Promise<void> {
      const before = mounted.el.messages.length;
      mounted.el.sendText(text);
      await until(() => expect(mounted.el.messages).toHaveLength(before + 2));
      await until(() => expect(mounted.el.state.kind).toBe("listening"));
    }

    test("a spoken turn: thinking, responding, listening; both sides stored with the turn's utteranceId; the reply is played", async () => {
      m = await listening();
      driver.transcript(m.transport, "Do you ship to Norway?");
      driver.reply(m.transport, "Yes, we ship to Norway.");
      m.audio.engine.speak(1200);
      await until(() => expect(m!.states()).toEqual(["initializing", "listening", "thinking", "responding", "listening"]));
      expect(lines(m)).toEqual([
        ["user", "Do you ship to Norway?"],
        ["assistant", "Yes, we ship to Norway."],
      ]);
      const [user, assistant] = m.el.messages;
      expect(user).toMatchObject({ utteranceId: expect.any(String), audioMs: 1200 });
      expect(assistant!.utteranceId).toBe(user!.utteranceId);
      expect(m.of("va-transcript").map((t) => [t.role, t.text])).toEqual(lines(m));
      const [replyId] = m.audio.engine.player!.ended;
      expect(m.audio.engine.player!.queuedMs(replyId!)).toBeGreaterThan(0);
      expect(m.of("va-metrics")).toEqual([expect.objectContaining({ utteranceId: user!.utteranceId, interrupted: false })]);
    });

    test("a typed turn: thinking, responding, listening; both sides stored with the turn's utteranceId", async () => {
      m = await listening();
      driver.reply(m.transport, "It opens at nine.");
      m.el.sendText("When does the shop open?");
      await until(() => expect(m!.states()).toEqual(["initializing", "listening", "thinking", "responding", "listening"]));
      expect(lines(m)).toEqual([
        ["user", "When does the shop open?"],
        ["assistant", "It opens at nine."],
      ]);
      expect(m.el.messages[1]!.utteranceId).toBe(m.el.messages[0]!.utteranceId);
      expect(driver.utterancesSent(m.transport)).toBe(0);
    });

    test("history: restored from IndexedDB on a new mount (reload); starting again continues the same conversation", async () => {
      const db = `va-contract-${driver.mode}-${Date.now()}-${databases++}`;
      m = await listening({ history: () => DexieHistoryStore.open(db) });
      driver.transcript(m.transport, "Remember the blue tent.");
      m.audio.engine.speak(800);
      await until(() => expect(m!.el.messages).toHaveLength(2));
      await until(() => expect(m!.el.state.kind).toBe("listening"));
      const stored = m.el.messages.map(({ id, role, text, utteranceId }) => ({ id, role, text, utteranceId }));
      const first = m.transport.callsOf("openSession")[0]!.request;
      m.remove();

      // "Reload": a new element with a new transport, same database.
      m = await mount({ history: () => DexieHistoryStore.open(db) });
      await until(() => expect(m!.el.shadowRoot!.querySelectorAll("li")).toHaveLength(2));
      expect(m.el.messages.map(({ id, role, text, utteranceId }) => ({ id, role, text, utteranceId }))).toEqual(stored);
      expect(m.transport.calls).toEqual([]);
      m.el.start();
      await until(() => expect(m!.el.state.kind).toBe("listening"));
      const second = m.transport.callsOf("openSession")[0]!.request;
      expect([second.visitorId, second.conversationId]).toEqual([first.visitorId, first.conversationId]);
      await typedTurn(m, "Which tent?");
      expect(m.el.messages.slice(0, 2).map(({ id, role, text, utteranceId }) => ({ id, role, text, utteranceId }))).toEqual(stored);
    });

    test("barge-in: the reply is cut where the visitor stopped hearing it; history keeps the heard part", async () => {
      m = await listening();
      const player = m.audio.engine.player!;
      player.holdPlayback = true;
      const reply = "One two three four five six seven eight nine ten.";
      driver.reply(m.transport, reply);
      m.audio.engine.speak(700);
      await until(() => expect(player.ended).toHaveLength(1));
      const replyId = player.ended[0]!;
      m.audio.engine.bargeIn(replyId, player.queuedMs(replyId) / 2);
      expect(m.el.state.kind).toBe("interrupted");
      expect(m.of("va-interruption")).toEqual([
        expect.objectContaining({ replyId, heardText: "One two three four five", fullText: reply }),
      ]);
      await until(() =>
        expect(m!.el.messages.at(-1)).toMatchObject({
          role: "assistant",
          text: reply,
          interrupted: true,
          heardText: "One two three four five",
        }),
      );
      await m.el.updateComplete;
      expect(m.$("li[data-interrupted]")?.textContent).toContain("One two three four five");
      expect(m.$("li[data-interrupted]")?.textContent).not.toContain("six");
    });

    test("the relay refuses the session (rate_limited): the typed va-error and the error state with the wait", async () => {
      m = await mount();
      m.transport.failNextWith(
        "openSession",
        new WidgetError("rate-limited", "slow down", undefined, { retryAfterMs: 2500, relayCode: "rate_limited" }),
      );
      m.el.start();
      await until(() => expect(m!.el.state).toMatchObject({ kind: "error", code: "rate-limited", retryAfterMs: 2500 }));
      await m.el.updateComplete;
      expect(m.of("va-error")).toEqual([{ code: "rate-limited", message: "slow down", fatal: true, retryAfterMs: 2500 }]);
      expect(m.$("[role=alert]")!.textContent).toContain("Try again in 3 s.");
    });

    test.each(["upstream_error", "rate_limited"])(
      "the relay refuses a turn's reply (%s): the typed va-error, the visible error state, nothing lost in history",
      async (relayCode) => {
        m = await listening();
        await typedTurn(m, "First question.");
        driver.refuseNextReply(m.transport, relayCode);
        m.el.sendText("Second question.");
        const { code } = relayErrorHandling(relayCode);
        await until(() => expect(m!.el.state).toMatchObject({ kind: "error", code }));
        await m.el.updateComplete;
        expect(m.of("va-error")).toEqual([{ code, message: expect.any(String), fatal: true }]);
        expect(m.el.dataset.state).toBe("error");
        expect(m.$("[role=alert]")!.textContent).toContain(DEFAULT_STRINGS.errors[code]);
        expect(m.$("[role=alert]")!.textContent).toContain(`(${code})`);
        const kept = [
          ["user", "First question."],
          ["assistant", "This is a reply."],
          ["user", "Second question."],
        ];
        expect(lines(m)).toEqual(kept);
        await until(async () =>
          expect((await m!.el.exportHistory()).conversations[0]!.messages.map((msg) => [msg.role, msg.text])).toEqual(kept),
        );
      },
    );

    test("tools: a client tool the reply calls runs in the page (va-tool-call) and the model goes on with its result", async () => {
      const lookups: unknown[] = [];
      m = await listening({ config: { tools: { lookup_order: (args: unknown) => (lookups.push(args), { status: "shipped" }) } } });
      driver.toolReply(m.transport, "lookup_order", { id: "A17" }, "Your order A17 has shipped.");
      m.el.sendText("Where is my order A17?");
      await until(() => expect(m!.el.messages.at(-1)?.text).toBe("Your order A17 has shipped."));
      await until(() => expect(m!.el.state.kind).toBe("listening"));
      expect(lookups).toEqual([{ id: "A17" }]);
      expect(m.of("va-tool-call")).toEqual([
        {
          id: expect.any(String),
          name: "lookup_order",
          arguments: { id: "A17" },
          result: { status: "shipped" },
          durationMs: expect.any(Number),
        },
      ]);
      expect(driver.toolResults(m.transport)).toEqual(['{"status":"shipped"}']);
      expect(m.states().slice(-3)).toEqual(["thinking", "responding", "listening"]);
      expect([...m.el.shadowRoot!.querySelectorAll("li")].map((li) => li.textContent?.trim())).toEqual([
        "Where is my order A17?",
        "Your order A17 has shipped.",
      ]);
    });

    test("reconnect: a dropped connection shows reconnecting, comes back to listening with the history intact, and goes on", async () => {
      m = await listening();
      await typedTurn(m, "Remember the word marmalade.");
      const before = lines(m);
      m.transport.failNext("refreshSession", "relay-unreachable");
      driver.dropConnection(m.transport);
      driver.reply(m.transport, "Yes, still here.");
      m.el.sendText("Are you still there?");
      await until(() => expect(m!.$("[part~=state]")!.textContent).toBe("Reconnecting…"));
      await until(() => expect(lines(m!)).toEqual([...before, ["user", "Are you still there?"], ["assistant", "Yes, still here."]]));
      await until(() => expect(m!.el.state.kind).toBe("listening"));
      const states = m.states();
      expect(states.slice(states.lastIndexOf("reconnecting"))).toEqual([
        "reconnecting",
        "listening",
        "thinking",
        "responding",
        "listening",
      ]);
      // The relay still knows the session: its token is refreshed, no new session.
      expect(m.transport.callsOf("openSession")).toHaveLength(1);
      expect(m.of("va-error")).toEqual([]);
    });

    test("reconnect: giving up after the attempts fails with relay-unreachable", async () => {
      m = await listening({ config: { reconnectDelaysMs: [5, 5] } });
      for (let i = 0; i < 3; i++) m.transport.failNext("refreshSession", "relay-unreachable");
      driver.dropConnection(m.transport);
      m.el.sendText("hello?");
      await until(() => expect(m!.el.state).toMatchObject({ kind: "error", code: "relay-unreachable" }));
      expect(m.states()).toContain("reconnecting");
      expect(m.of("va-error")).toEqual([{ code: "relay-unreachable", message: expect.any(String), fatal: true }]);
    });

    test("mute ignores utterances until unmuted", async () => {
      m = await listening();
      m.el.mute();
      expect(m.el.muted).toBe(true);
      expect(m.el.hasAttribute("muted")).toBe(true);
      expect(m.audio.engine.muted).toBe(true);
      m.audio.engine.speak();
      expect(m.el.state.kind).toBe("listening");
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(driver.utterancesSent(m.transport)).toBe(0);
      expect(m.el.messages).toEqual([]);
      m.el.mute(false);
      expect(m.audio.engine.muted).toBe(false);
      m.audio.engine.speak();
      await until(() => expect(driver.utterancesSent(m!.transport)).toBe(1));
    });
  });
}
