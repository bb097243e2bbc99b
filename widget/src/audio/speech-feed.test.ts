import { afterEach, describe, expect, test, vi } from "vitest";
import type { FeedCommand, FeedEvent } from "./feed-messages.ts";
import { SpeechFeed, type FeedPort } from "./speech-feed.ts";
import type { PlaybackCommand } from "./worklet-messages.ts";

const URL_OF = (n: number) => `https://relay.test/v1/audio/speech#${n}`;
const request = (n: number, token = "tok") => ({
  url: URL_OF(n),
  headers: { authorization: `Bearer ${token}` },
  body: `{"input":"sentence ${n}"}`,
});

/** A response body the test writes to, chunk by chunk. */
class Body {
  controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly stream = new ReadableStream<Uint8Array>({ start: (c) => void (this.controller = c) });
  /** `n` samples of value `v`, as 16-bit little-endian bytes. */
  samples(n: number, v: number): void {
    this.controller.enqueue(new Uint8Array(new Int16Array(n).fill(v).buffer));
  }
}

/** The feed with a fake player port and worklet, and a fetch the test answers. */
function setup() {
  const events: FeedEvent[] = [];
  const worklet: PlaybackCommand[] = [];
  const port: FeedPort = { postMessage: (e) => events.push(e), onmessage: null };
  const feed = new SpeechFeed(port, (command) => worklet.push(command));
  const fetches: { url: string; init: RequestInit; answer: (response: Response) => void }[] = [];
  vi.stubGlobal("fetch", (url: string, init: RequestInit) => new Promise<Response>((answer) => fetches.push({ url, init, answer })));
  const send = (command: FeedCommand) => port.onmessage!({ data: command } as MessageEvent<FeedCommand>);
  /** The worklet's commands as `reply:kind:first sample×length` strings. */
  const played = () =>
    worklet.map((c) =>
      c.kind === "chunk"
        ? `${c.replyId}:chunk:${c.samples[0]!.toFixed(2)}×${c.samples.length}`
        : c.kind === "end"
          ? `${c.replyId}:end`
          : c.kind,
    );
  return { events, worklet, feed, fetches, send, played };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => vi.unstubAllGlobals());

describe("SpeechFeed", () => {
  test("plays streams and commands in the order sent, fetching the head and one ahead", async () => {
    const { events, fetches, send, played } = setup();
    send({ kind: "speech", replyId: 1, streamId: 1, request: request(1) });
    send({ kind: "speech", replyId: 1, streamId: 2, request: request(2) });
    send({ kind: "speech", replyId: 1, streamId: 3, request: request(3) });
    send({ kind: "end", replyId: 1 });
    expect(fetches.map((f) => f.url)).toEqual([URL_OF(1), URL_OF(2)]);
    expect(fetches[0]!.init).toMatchObject({ method: "POST", headers: { authorization: "Bearer tok" }, body: '{"input":"sentence 1"}' });
    const [one, two] = [new Body(), new Body()];
    fetches[1]!.answer(new Response(two.stream));
    two.samples(240, 16384);
    two.controller.close();
    await tick();
    expect(played()).toEqual([]); // the second waits for the first
    fetches[0]!.answer(new Response(one.stream));
    one.samples(480, -16384);
    await tick();
    expect(played()).toEqual(["1:chunk:-0.50×480"]);
    one.controller.close();
    await tick();
    expect(fetches).toHaveLength(3);
    const three = new Body();
    fetches[2]!.answer(new Response(three.stream));
    three.samples(24, 8192);
    three.controller.close();
    await tick();
    expect(played()).toEqual(["1:chunk:-0.50×480", "1:chunk:0.50×240", "1:chunk:0.25×24", "1:end"]);
    expect(events.map((e) => `${e.kind}:${e.streamId}${e.kind === "speech-audio" ? `:${e.samples}` : ""}`)).toEqual([
      "speech-audio:1:480",
      "speech-end:1",
      "speech-audio:2:240",
      "speech-end:2",
      "speech-audio:3:24",
      "speech-end:3",
    ]);
  });

  test("carries an odd byte to the next network chunk", async () => {
    const { fetches, send, worklet } = setup();
    send({ kind: "speech", replyId: 1, streamId: 1, request: request(1) });
    const body = new Body();
    fetches[0]!.answer(new Response(body.stream));
    body.controller.enqueue(new Uint8Array([0x00, 0x40, 0x00]));
    body.controller.enqueue(new Uint8Array([0xc0]));
    body.controller.close();
    await tick();
    expect(worklet.flatMap((c) => (c.kind === "chunk" ? [...c.samples] : []))).toEqual([0.5, -0.5]);
  });

  test("a refused request is reported as the relay client would; its place holds until cancelled", async () => {
    const { events, fetches, send, played } = setup();
    send({ kind: "speech", replyId: 1, streamId: 1, request: request(1) });
    send({ kind: "end", replyId: 1 });
    fetches[0]!.answer(
      Response.json({ error: { code: "rate_limited", message: "slow down" } }, { status: 429, headers: { "retry-after": "3" } }),
    );
    await tick();
    expect(events).toEqual([
      {
        kind: "speech-error",
        streamId: 1,
        error: { code: "rate-limited", message: "slow down", retryAfterMs: 3000, relayCode: "rate_limited" },
      },
    ]);
    expect(played()).toEqual([]);
    send({ kind: "speech-cancel", streamId: 1 });
    expect(played()).toEqual(["1:end"]);
  });

  test("a retry with a renewed token fetches the stream again in its place", async () => {
    const { events, fetches, send, played } = setup();
    send({ kind: "speech", replyId: 1, streamId: 1, request: request(1) });
    send({ kind: "chunk", replyId: 1, samples: new Float32Array([0.25]) });
    fetches[0]!.answer(Response.json({ error: { code: "token_expired", message: "old" } }, { status: 401 }));
    await tick();
    expect(events[0]).toMatchObject({ kind: "speech-error", error: { code: "unauthorized", relayCode: "token_expired" } });
    send({ kind: "speech-retry", streamId: 1, request: request(1, "fresh") });
    expect(fetches[1]!.init.headers).toEqual({ authorization: "Bearer fresh" });
    const body = new Body();
    fetches[1]!.answer(new Response(body.stream));
    body.samples(2, 16384);
    body.controller.close();
    await tick();
    expect(played()).toEqual(["1:chunk:0.50×2", "1:chunk:0.25×1"]);
  });

  test("a cancel aborts the fetch; a stop passes at once; close aborts the rest", async () => {
    const { fetches, send, played, feed } = setup();
    send({ kind: "speech", replyId: 1, streamId: 1, request: request(1) });
    send({ kind: "speech", replyId: 1, streamId: 2, request: request(2) });
    send({ kind: "stop" });
    expect(played()).toEqual(["stop"]);
    send({ kind: "speech-cancel", streamId: 1 });
    expect(fetches[0]!.init.signal!.aborted).toBe(true);
    expect(fetches[1]!.init.signal!.aborted).toBe(false);
    feed.close();
    expect(fetches[1]!.init.signal!.aborted).toBe(true);
  });

  test("a network failure is relay-unreachable, before the answer or in the middle of it", async () => {
    const { events, fetches, send } = setup();
    send({ kind: "speech", replyId: 1, streamId: 1, request: request(1) });
    const body = new Body();
    fetches[0]!.answer(new Response(body.stream));
    body.samples(2, 1);
    body.controller.error(new TypeError("network error"));
    await tick();
    expect(events.at(-1)).toEqual({
      kind: "speech-error",
      streamId: 1,
      error: expect.objectContaining({
        code: "relay-unreachable",
        message: "The connection to the relay at https://relay.test broke mid-stream.",
      }),
    });
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("Failed to fetch")));
    send({ kind: "speech-cancel", streamId: 1 });
    send({ kind: "speech", replyId: 1, streamId: 2, request: request(2) });
    await tick();
    expect(events.at(-1)).toEqual({
      kind: "speech-error",
      streamId: 2,
      error: expect.objectContaining({ code: "relay-unreachable", message: "The relay at https://relay.test cannot be reached." }),
    });
  });
});
