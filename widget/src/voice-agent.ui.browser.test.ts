/** Embed contract: text mode, client tools, keyboard operation, strings, accessibility. */
import axe from "axe-core";
import { afterEach, describe, expect, test, vi } from "vitest";
import { userEvent } from "vitest/browser";
import { FakeTransport } from "./testing/fake-transport.ts";
import { mountElement, type Mounted } from "./testing/mount-element.ts";

let m: Mounted | undefined;
afterEach(() => m?.remove());
const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });

/** The element focused inside the shadow root. */
const focused = () => m!.el.shadowRoot!.activeElement as HTMLElement | null;

describe("<voice-agent> embed contract", () => {
  test('mode="text": no audio engine, replies shown not spoken, greeting shown', async () => {
    m = await mountElement({ attributes: { mode: "text" } });
    m.el.sendText("hello there");
    await until(() => expect(m!.el.messages.map((x) => x.text)).toEqual(["Hello! How can I help?", "hello there", "This is a reply."]));
    expect(m.audio.engines).toHaveLength(0);
    expect(m.transport.callsOf("speech")).toHaveLength(0);
    expect(m.$("[part~=mute]")).toBeNull();
  });

  test("while the relay runs a server tool the state shows as working, then the reply goes on", async () => {
    m = await mountElement({ attributes: { mode: "text" }, config: { greet: false } });
    m.transport.replies.push([
      { type: "server-tool", name: "track_order", running: true },
      { type: "server-tool", name: "track_order", running: false },
      { type: "text", text: "Your order ships today." },
    ]);
    m.transport.hold(); // after the first delta: the tool is running
    m.el.sendText("Where is my order?");
    const state = () => m!.$("[part=state]")!;
    await until(() => expect(state().textContent).toBe("Working…"));
    expect(state().hasAttribute("data-working")).toBe(true);
    expect(m.el.state.kind).toBe("thinking");
    m.transport.release();
    await until(() => expect(m!.el.messages.at(-1)?.text).toBe("Your order ships today."));
    await until(() => expect(state().hasAttribute("data-working")).toBe(false));
    expect(state().textContent).not.toBe("Working…");
  });

  test("the transcript follows the newest line on a phone-sized panel, unless the visitor scrolled up to read", async () => {
    m = await mountElement({ attributes: { mode: "text", layout: "inline" }, config: { greet: false } });
    m.el.style.width = "375px";
    const list = m.$("[part=transcript]")!;
    const atEnd = () => list.scrollTop + list.clientHeight >= list.scrollHeight - 2;
    for (let i = 0; i < 8; i++) {
      m.transport.replies.push(`Reply number ${i}: ${"a long sentence that wraps on a narrow phone screen ".repeat(3)}`);
      m.el.sendText(`question ${i}`);
      await until(() => expect(m!.el.messages.at(-1)?.text).toMatch(new RegExp(`^Reply number ${i}:`)));
    }
    await until(() => expect(list.scrollHeight).toBeGreaterThan(list.clientHeight));
    await until(() => expect(atEnd()).toBe(true));
    // Scrolled up to read: a new line does not pull the view away.
    list.scrollTop = 0;
    list.dispatchEvent(new Event("scroll"));
    m.transport.replies.push("One more.");
    m.el.sendText("and now?");
    await until(() => expect(m!.el.messages.at(-1)?.text).toBe("One more."));
    expect(list.scrollTop).toBe(0);
  });

  test("a greeting cut short and a reply cut by Stop show what was heard, unmarked; a reply the visitor talked over is marked", async () => {
    m = await mountElement({ transport: new FakeTransport({ greeting: "Hello, I am the test agent. How can I help?" }) });
    // Held from the first sample: the greeting must still be playing when the visitor barges in.
    m.audio.holdPlayback = true;
    m.el.start();
    await until(() => expect(m!.audio.engines[0]?.player).toBeDefined());
    const player = m.audio.engine.player!;
    await until(() => expect(player.ended).toHaveLength(1));
    m.audio.engine.bargeIn(player.ended[0]!, 600);
    await until(() => expect(m!.el.messages[0]).toMatchObject({ interrupted: true }));
    m.transport.replies.push("This is the first part. This is the second part.", "This is the first part. This is the second part.");
    m.el.sendText("tell me");
    await until(() => expect(player.ended).toHaveLength(2));
    m.audio.engine.bargeIn(player.ended[1]!, player.queuedMs(player.ended[1]!) / 2 + 300);
    await until(() => expect(m!.el.messages.filter((x) => x.interrupted)).toHaveLength(2));
    m.el.sendText("again");
    await until(() => expect(player.ended).toHaveLength(3));
    m.el.stop();
    await until(() => expect(m!.el.messages.filter((x) => x.interrupted)).toHaveLength(3));
    const lines = [...m.el.shadowRoot!.querySelectorAll("li")].map((li) => [
      li.dataset.role,
      li.hasAttribute("data-interrupted"),
      li.textContent!.trim(),
    ]);
    expect(lines.filter(([role]) => role === "assistant").map(([, marked]) => marked)).toEqual([false, true, false]);
    expect(lines[0]![2]).toBe(m.el.messages[0]!.heardText);
    expect(lines[0]![2]).not.toContain("interrupted");
  });

  test("typing first is a text conversation: not listening, nothing to mute, and Talk switches it to voice", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.sendText("do you sell tents?");
    await until(() => expect(m!.el.messages.at(-1)?.text).toBe("This is a reply."));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    expect(m.audio.engines).toHaveLength(0);
    expect(m.$("[part=state]")!.textContent).toBe("Ready");
    expect(m.$("[part~=mute]")).toBeNull();
    expect(m.$("[part~=start]")).toBeNull();
    m.$<HTMLButtonElement>("[part~=talk]")!.click();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    await until(() => expect(m!.audio.engines).toHaveLength(1));
    await m.el.updateComplete;
    expect(m.$("[part=state]")!.textContent).toBe("Listening");
    expect(m.$("[part~=mute]")).not.toBeNull();
    expect(m.$("[part~=start]")!.textContent).toBe("Stop");
    // The same conversation goes on, by voice.
    m.audio.engine.speak(600);
    await until(() => expect(m!.el.messages.filter((x) => x.role === "user")).toHaveLength(2));
  });

  test("client tools: the call runs in the page and its result goes back to the model", async () => {
    const lookup = vi.fn(async (args: unknown) => ({ status: "shipped", order: (args as { id: string }).id }));
    m = await mountElement({ attributes: { mode: "text" }, config: { greet: false, tools: { lookupOrder: lookup } } });
    m.transport.replies.push(
      [
        { type: "tool-call", id: "call_1", name: "lookupOrder", arguments: '{"id":"A17"}' },
        { type: "tool-call", id: "call_2", name: "unknownTool", arguments: "{}" },
      ],
      "Your order A17 has shipped.",
    );
    m.el.sendText("where is my order A17?");
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    await until(() => expect(m!.el.messages.at(-1)?.text).toBe("Your order A17 has shipped."));
    expect(lookup).toHaveBeenCalledWith({ id: "A17" }, expect.objectContaining({ callId: "call_1" }));
    expect(m.transport.callsOf("chat")[1]!.messages).toEqual([
      { role: "user", content: "where is my order A17?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "lookupOrder", arguments: '{"id":"A17"}' } },
          { id: "call_2", type: "function", function: { name: "unknownTool", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"status":"shipped","order":"A17"}' },
      { role: "tool", tool_call_id: "call_2", content: '{"error":"No handler for tool \\"unknownTool\\" is registered in the page."}' },
    ]);
    expect(m.of("va-tool-call").map((t) => [t.name, t.error === undefined])).toEqual([
      ["lookupOrder", true],
      ["unknownTool", false],
    ]);
    expect(m.of("va-metrics")[0]!.toolCalls).toBe(2);
    // Tool plumbing is not shown as transcript lines.
    expect([...m.el.shadowRoot!.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "where is my order A17?",
      "Your order A17 has shipped.",
    ]);
  });

  test("keyboard: tab to the input, type, Enter sends; tab to Start, Enter starts; Space toggles mute", async () => {
    m = await mountElement({ attributes: { layout: "inline" }, config: { greet: false } });
    m.el.focus();
    await userEvent.tab();
    expect(focused()?.id).toBe("input");
    await userEvent.keyboard("typed by keyboard{Enter}");
    await until(() => expect(m!.el.messages.map((x) => x.text)).toContain("typed by keyboard"));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.el.stop();
    await m.el.updateComplete;
    (m.$("[part~=input]") as HTMLInputElement).focus();
    await userEvent.tab();
    await userEvent.tab();
    expect(focused()?.textContent).toBe("Start");
    await userEvent.keyboard("{Enter}");
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    await m.el.updateComplete;
    await userEvent.tab();
    expect(focused()?.getAttribute("aria-pressed")).toBe("false");
    await userEvent.keyboard(" ");
    expect(m.el.muted).toBe(true);
    await m.el.updateComplete;
    expect(focused()?.getAttribute("aria-pressed")).toBe("true");
  });

  test("slots and strings are replaceable", async () => {
    m = await mountElement({ config: { strings: { start: "Démarrer", states: { idle: "Prêt" } } }, attributes: { lang: "fr" } });
    const header = Object.assign(document.createElement("span"), { slot: "header", textContent: "Acme help" });
    m.el.append(header);
    await m.el.updateComplete;
    expect(m.$("[part~=start]")!.textContent).toBe("Démarrer");
    expect(m.$("[part=state]")!.textContent).toBe("Prêt");
    expect(m.$<HTMLSlotElement>("slot[name=header]")!.assignedElements()).toEqual([header]);
  });

  test("lang picks the shipped strings (else the page's language), config.strings still win, and the language goes to transcription", async () => {
    m = await mountElement({ attributes: { lang: "de-AT" }, config: { strings: { send: "Los" } } });
    await until(() => expect(m!.$("[part~=start]")!.textContent).toBe("Starten"));
    expect(m.$("[part=state]")!.textContent).toBe("Bereit");
    expect(m.$("[part~=send]")!.textContent).toBe("Los");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.audio.engine.speak(600);
    await until(() => expect(m!.transport.callsOf("transcribe")).toHaveLength(1));
    expect(m.transport.callsOf("transcribe")[0]!.language).toBe("de");
    m.remove();
    m = undefined;

    document.documentElement.lang = "it";
    try {
      m = await mountElement();
      await until(() => expect(m!.$("[part~=start]")!.textContent).toBe("Avvia"));
    } finally {
      document.documentElement.lang = "";
    }
    m.remove();
    m = await mountElement({ attributes: { lang: "pt-BR" } });
    await m.el.updateComplete;
    expect(m.$("[part~=start]")!.textContent).toBe("Start");
  });

  test("axe-core finds no violations (idle, in conversation with an interrupted reply, in error)", async () => {
    m = await mountElement({ config: { greet: true } });
    const scan = async () => {
      await m!.el.updateComplete;
      const result = await axe.run(m!.el, { resultTypes: ["violations"] });
      expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(" | ")}`)).toEqual([]);
    };
    await scan();
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.audio.engine.player!.holdPlayback = true;
    m.el.sendText("hi");
    await until(() => expect(m!.el.state.kind).toBe("responding"));
    // Reply 1 was the greeting.
    await until(() => expect(m!.audio.engine.player!.enqueued.some((e) => e.replyId === 2)).toBe(true));
    m.audio.engine.bargeIn(2, 10);
    await until(() => expect(m!.el.state.kind).toBe("interrupted"));
    await scan();
    m.el.stop();
    m.audio.failNextStart("mic-denied");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("error"));
    await scan();
  });
});
