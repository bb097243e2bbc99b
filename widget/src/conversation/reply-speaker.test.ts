import { describe, expect, test } from "vitest";
import { FakePlayer } from "../testing/fake-audio.ts";
import { FakeTransport } from "../testing/fake-transport.ts";
import { ReplySpeaker } from "./reply-speaker.ts";

describe("ReplySpeaker", () => {
  test("queues each sentence's audio in order and records its length", async () => {
    const transport = new FakeTransport({ speechMsPerChar: 10 });
    const player = new FakePlayer();
    const speaker = new ReplySpeaker({ transport, player, replyId: 7, turnId: "turn-0007", signal: new AbortController().signal });
    speaker.say("One.");
    speaker.say("Two two.");
    speaker.say("");
    const report = await speaker.finish();
    expect(transport.callsOf("speech").map((c) => [c.text, c.turnId])).toEqual([["One.", "turn-0007"], ["Two two.", "turn-0007"]]);
    expect(speaker.segments).toEqual([
      { text: "One.", audioMs: 40 },
      { text: "Two two.", audioMs: 80 },
    ]);
    expect(player.enqueued.every((e) => e.replyId === 7)).toBe(true);
    expect(player.queuedMs(7)).toBe(120);
    expect(report.replyId).toBe(7);
    expect(speaker.ttsFirstByteMs).toBeGreaterThanOrEqual(0);
  });

  test("fetches the next sentence while the current one still streams, at most one ahead", async () => {
    const transport = new FakeTransport();
    const speaker = new ReplySpeaker({ transport, player: new FakePlayer(), replyId: 1, turnId: "turn-0007", signal: new AbortController().signal });
    speaker.say("First.");
    speaker.say("Second.");
    speaker.say("Third.");
    // Synchronously after say(): the head and one sentence ahead are requested, not the third.
    expect(transport.callsOf("speech").map((c) => c.text)).toEqual(["First.", "Second."]);
    await speaker.finish();
    expect(transport.callsOf("speech").map((c) => c.text)).toEqual(["First.", "Second.", "Third."]);
  });

  test("an aborted reply stops queueing and says nothing more", async () => {
    const transport = new FakeTransport();
    const player = new FakePlayer();
    const abort = new AbortController();
    const speaker = new ReplySpeaker({ transport, player, replyId: 1, turnId: "turn-0007", signal: abort.signal });
    speaker.say("First.");
    abort.abort();
    speaker.say("Second.");
    await speaker.finish().catch(() => {});
    expect(transport.callsOf("speech").map((c) => c.text)).toEqual(["First."]);
    expect(player.enqueued).toEqual([]);
  });

  test("a TTS failure rejects finish()", async () => {
    const transport = new FakeTransport();
    transport.failNext("speech", "upstream");
    const speaker = new ReplySpeaker({ transport, player: new FakePlayer(), replyId: 1, turnId: "turn-0007", signal: new AbortController().signal });
    speaker.say("Boom.");
    await expect(speaker.finish()).rejects.toMatchObject({ code: "upstream" });
  });
});
