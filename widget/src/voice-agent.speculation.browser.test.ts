/** Speculative turns through the element: transcription at a pause of the visitor, fake relay and audio. */
import { afterEach, describe, expect, test, vi } from "vitest";
import { FakeTransport } from "./testing/fake-transport.ts";
import { mountElement, type Mounted } from "./testing/mount-element.ts";

let m: Mounted | undefined;
afterEach(() => m?.remove());

const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });

async function listening(transport?: FakeTransport): Promise<Mounted> {
  const mounted = await mountElement({ config: { greet: false }, ...(transport ? { transport } : {}) });
  mounted.el.start();
  await until(() => expect(mounted.el.state.kind).toBe("listening"));
  return mounted;
}

describe("<voice-agent> speculative turns", () => {
  test("a turn that ends at the pause uses the transcript sent at the pause: one transcription, same turn id", async () => {
    m = await listening();
    m.transport.transcripts.push("Do you ship to Norway?");
    m.audio.engine.pause(1500);
    await until(() => expect(m!.transport.callsOf("transcribe")).toHaveLength(1));
    // Sent while still listening, before the turn ended.
    expect(m.el.state.kind).toBe("listening");
    const [speculative] = m.transport.callsOf("transcribe");
    expect(speculative).toMatchObject({ speculative: true, bytes: 44 + 1500 * 16 * 2 });
    await until(() => expect(m!.transport.callsOf("chat")).toHaveLength(1));

    m.audio.engine.speak(1500);
    await until(() => expect(m!.states().slice(-3)).toEqual(["thinking", "responding", "listening"]));
    expect(m.transport.callsOf("transcribe")).toHaveLength(1);
    expect(speculative!.aborted).toBeUndefined();
    // The reply was asked for at the pause too (speculative), and is the turn's reply: one chat request.
    const chats = m.transport.callsOf("chat");
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ turnId: speculative!.turnId, speculative: true });
    expect(chats[0]!.aborted).toBeUndefined();
    expect(chats[0]!.messages.at(-1)).toEqual({ role: "user", content: "Do you ship to Norway?" });
    expect(m.el.messages.map((msg) => [msg.role, msg.text, msg.utteranceId])).toEqual([
      ["user", "Do you ship to Norway?", speculative!.turnId],
      ["assistant", "This is a reply.", speculative!.turnId],
    ]);
    // Committed once the turn ended on the pause's speech, so that the relay records it.
    await until(() =>
      expect(m!.transport.reports).toContainEqual(expect.objectContaining({ type: "turn-committed", turnId: speculative!.turnId })),
    );
  });

  test("a turn that ends before the speculative transcript arrived asks for its reply itself", async () => {
    m = await listening();
    m.audio.engine.pause(1500);
    m.audio.engine.speak(1500);
    await until(() => expect(m!.states().slice(-3)).toEqual(["thinking", "responding", "listening"]));
    const [transcription] = m.transport.callsOf("transcribe");
    expect(transcription).toMatchObject({ speculative: true });
    expect(m.transport.callsOf("chat").map((c) => [c.turnId, c.speculative])).toEqual([[transcription!.turnId, false]]);
    expect(m.transport.reports.map((r) => r.type)).not.toContain("turn-committed");
  });

  test("the speculative reply is neither shown, stored nor spoken before the turn ends", async () => {
    m = await listening();
    m.transport.transcripts.push("Do you ship to Norway?");
    m.audio.engine.pause(1500);
    await until(() => expect(m!.transport.callsOf("chat")).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(m.el.state.kind).toBe("listening");
    expect(m.el.messages).toEqual([]);
    expect(m.transport.callsOf("speech")).toEqual([]);
    expect(m.transport.reports.map((r) => r.type)).not.toContain("turn-committed");
    expect(m.el.shadowRoot!.textContent).not.toContain("This is a reply.");
  });

  test("speech after the pause aborts the speculation; the whole utterance is transcribed as the turn", async () => {
    m = await listening();
    m.transport.transcripts.push("Do you ship", "Do you ship to Norway?");
    m.audio.engine.pause(800);
    await until(() => expect(m!.transport.callsOf("transcribe")).toHaveLength(1));
    await until(() => expect(m!.transport.callsOf("chat")).toHaveLength(1));
    m.audio.engine.resume();
    const [speculative] = m.transport.callsOf("transcribe");
    expect(speculative!.aborted).toBe(true);
    expect(m.transport.callsOf("chat")[0]).toMatchObject({ speculative: true, aborted: true });

    m.audio.engine.speak(2000);
    await until(() => expect(m!.states().slice(-3)).toEqual(["thinking", "responding", "listening"]));
    const calls = m.transport.callsOf("transcribe");
    expect(calls.map((c) => c.speculative)).toEqual([true, false]);
    expect(calls[1]!.bytes).toBe(44 + 2000 * 16 * 2);
    const chat = m.transport.callsOf("chat")[1];
    expect(chat).toMatchObject({ turnId: calls[1]!.turnId, speculative: false });
    expect(chat!.messages.at(-1)).toEqual({ role: "user", content: "Do you ship to Norway?" });
    expect(m.transport.reports.map((r) => r.type)).not.toContain("turn-committed");
  });

  test("a turn that ends on other audio than the pause's (no resume seen) does not use the speculation", async () => {
    m = await listening();
    m.transport.transcripts.push("Do you", "Do you ship to Norway?");
    m.audio.engine.pause(800);
    await until(() => expect(m!.transport.callsOf("transcribe")).toHaveLength(1));
    m.audio.engine.speak(1600);
    await until(() => expect(m!.states().slice(-3)).toEqual(["thinking", "responding", "listening"]));
    expect(m.transport.callsOf("transcribe").map((c) => [c.speculative, c.aborted])).toEqual([
      [true, true],
      [false, undefined],
    ]);
    expect(m.transport.callsOf("chat")[0]!.messages.at(-1)!.content).toBe("Do you ship to Norway?");
  });

  test("an agent with speculation off: no transcription before the turn ends", async () => {
    m = await listening(new FakeTransport({ speculation: false }));
    m.audio.engine.pause(1500);
    m.audio.engine.speak(1500);
    await until(() => expect(m!.states().slice(-3)).toEqual(["thinking", "responding", "listening"]));
    expect(m.transport.callsOf("transcribe").map((c) => c.speculative)).toEqual([false]);
  });

  test("no speculation while muted or while a reply is playing", async () => {
    m = await listening();
    m.el.mute(true);
    m.audio.engine.pause(1500);
    m.el.mute(false);
    m.transport.hold();
    m.audio.engine.speak(1000);
    await until(() => expect(m!.el.state.kind).toBe("thinking"));
    m.audio.engine.pause(600);
    m.transport.release();
    await until(() => expect(m!.states().at(-1)).toBe("listening"));
    expect(m.transport.callsOf("transcribe").map((c) => c.speculative)).toEqual([false]);
  });
});
