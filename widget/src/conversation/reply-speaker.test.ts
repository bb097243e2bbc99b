import { describe, expect, test } from "vitest";
import { FakePlayer } from "../testing/fake-audio.ts";
import { FakeTransport } from "../testing/fake-transport.ts";
import { WidgetError } from "../widget-error.ts";
import type { PlaybackReport, PlaySpeechOptions } from "./audio-port.ts";
import { ReplySpeaker } from "./reply-speaker.ts";
import type { SpeechRequest } from "./transport.ts";

describe("ReplySpeaker", () => {
  test("queues each sentence's audio in order and records its length", async () => {
    const transport = new FakeTransport({ speechMsPerChar: 10 });
    const player = new FakePlayer();
    const speaker = new ReplySpeaker({ transport, player, replyId: 7, turnId: "turn-0007", signal: new AbortController().signal });
    speaker.say("One.");
    speaker.say("Two two.");
    speaker.say("");
    const report = await speaker.finish();
    expect(transport.callsOf("speech").map((c) => [c.text, c.turnId])).toEqual([
      ["One.", "turn-0007"],
      ["Two two.", "turn-0007"],
    ]);
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
    const speaker = new ReplySpeaker({
      transport,
      player: new FakePlayer(),
      replyId: 1,
      turnId: "turn-0007",
      signal: new AbortController().signal,
    });
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
    const speaker = new ReplySpeaker({
      transport,
      player: new FakePlayer(),
      replyId: 1,
      turnId: "turn-0007",
      signal: new AbortController().signal,
    });
    speaker.say("Boom.");
    await expect(speaker.finish()).rejects.toMatchObject({ code: "upstream" });
  });
});

/** A transport that describes speech requests (with a token that renewals change). */
class DescribingTransport extends FakeTransport {
  token = "tok-1";
  speechRequest(text: string, turnId: string): SpeechRequest {
    return {
      url: "https://relay.test/v1/audio/speech",
      headers: { authorization: `Bearer ${this.token}`, "x-turn-id": turnId },
      body: JSON.stringify({ input: text }),
    };
  }
}

/** A player that plays described streams: each call waits until the test settles it. */
class FeedingPlayer extends FakePlayer {
  readonly streams: { replyId: number; input: string; options: PlaySpeechOptions; done: (error?: unknown) => void }[] = [];
  readonly order: string[] = [];
  playSpeech(replyId: number, request: SpeechRequest, options: PlaySpeechOptions): Promise<void> {
    this.order.push(`speech:${(JSON.parse(request.body) as { input: string }).input}`);
    return new Promise((resolve, reject) => {
      const done = (error?: unknown) => (error === undefined ? resolve() : reject(error));
      this.streams.push({ replyId, input: (JSON.parse(request.body) as { input: string }).input, options, done });
      options.signal.addEventListener("abort", () => reject(options.signal.reason));
    });
  }
  override end(replyId: number): Promise<PlaybackReport> {
    this.order.push(`end:${replyId}`);
    return super.end(replyId);
  }
}

describe("ReplySpeaker, when the player fetches the speech itself", () => {
  const setup = () => {
    const transport = new DescribingTransport();
    const player = new FeedingPlayer();
    const abort = new AbortController();
    const speaker = new ReplySpeaker({ transport, player, replyId: 3, turnId: "turn-0003", signal: abort.signal, now: () => 1000 });
    return { transport, player, abort, speaker };
  };

  test("hands every sentence's request to the player at once, then the end; records each sentence's audio from its reports", async () => {
    const { transport, player, speaker } = setup();
    speaker.say("One.");
    speaker.say("Two two.");
    const finished = speaker.finish();
    // The end is queued behind the streams at once: no round trip to the main thread after the last one.
    expect(player.order).toEqual(["speech:One.", "speech:Two two.", "end:3"]);
    expect(transport.callsOf("speech")).toEqual([]);
    const [one, two] = player.streams;
    one!.options.onAudio(40, 1250);
    one!.options.onAudio(10, 1260);
    one!.done();
    two!.options.onAudio(50, 1300);
    two!.done();
    const report = await finished;
    expect(report.replyId).toBe(3);
    expect(speaker.segments).toEqual([
      { text: "One.", audioMs: 50 },
      { text: "Two two.", audioMs: 50 },
    ]);
    // When the audio was queued (the player's clock), not when the main thread heard of it.
    expect(speaker.firstAudioAt).toBe(1250);
    expect(speaker.ttsFirstByteMs).toBe(250);
    expect(player.enqueued).toEqual([]);
  });

  test("a failed stream rejects finish() and aborts the streams after it", async () => {
    const { player, speaker } = setup();
    speaker.say("One.");
    speaker.say("Two.");
    const finished = speaker.finish();
    const failure = new WidgetError("upstream", "TTS down");
    player.streams[0]!.done(failure);
    await expect(finished).rejects.toBe(failure);
    expect(player.streams[1]!.options.signal.aborted).toBe(true);
    speaker.say("Three.");
    expect(player.streams).toHaveLength(2);
  });

  test("renewal: the player's renew hook renews the token through the transport and describes the request again", async () => {
    const { transport, player, speaker } = setup();
    transport.onTokenExpired = async () => void (transport.token = "tok-2");
    speaker.say("One.");
    const fresh = await player.streams[0]!.options.renew!();
    expect(fresh.headers).toEqual({ authorization: "Bearer tok-2", "x-turn-id": "turn-0003" });
    expect(JSON.parse(fresh.body)).toEqual({ input: "One." });
  });

  test("an aborted reply aborts its streams and hands over nothing more", async () => {
    const { player, abort, speaker } = setup();
    speaker.say("One.");
    abort.abort();
    speaker.say("Two.");
    expect(player.streams.map((s) => [s.input, s.options.signal.aborted])).toEqual([["One.", true]]);
  });
});
