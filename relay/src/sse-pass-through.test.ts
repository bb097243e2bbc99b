import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { HttpError } from "./http-error.ts";
import { ssePassThrough } from "./sse-pass-through.ts";

const encoder = new TextEncoder();

/** An upstream body that sends `parts` as separate chunks. */
function upstream(parts: string[]): Readable {
  return Readable.from(parts.map((part) => encoder.encode(part)));
}

async function relay(parts: string[]) {
  const events: unknown[] = [];
  const ends: unknown[] = [];
  const errors: HttpError[] = [];
  const upstreamAbort = new AbortController();
  const body = ssePassThrough(upstream(parts), {
    guard: { stage: "llm", idleMs: 1000, closing: new AbortController().signal, upstream: upstreamAbort },
    client: new AbortController().signal,
    observer: {
      onEvent: (data) => events.push(data),
      beforeEnd: async (error) => void ends.push(error),
      onCancel: () => ends.push("cancel"),
    },
    onError: (error) => errors.push(error),
  });
  const text = await new Response(body).text();
  return { text, events, ends, errors, aborted: upstreamAbort.signal.aborted };
}

const chunk = (content: string) => `data: {"choices":[{"delta":{"content":"${content}"}}]}\n\n`;

describe("ssePassThrough", () => {
  it("forwards JSON events byte for byte, across chunk boundaries, then [DONE]", async () => {
    const whole = chunk("Hel") + chunk("lo") + "data: [DONE]\n\n";
    const { text, events, ends } = await relay([whole.slice(0, 10), whole.slice(10, 61), whole.slice(61)]);
    expect(text).toBe(whole);
    expect(events).toEqual([{ choices: [{ delta: { content: "Hel" } }] }, { choices: [{ delta: { content: "lo" } }] }]);
    expect(ends).toEqual([undefined]);
  });

  it("accepts CRLF frames and drops comments and frames without data", async () => {
    const { text, events } = await relay([": keep-alive\n\n", "id: 1\n\n", 'data: {"a":1}\r\n\r\n', "data: [DONE]\n\n"]);
    expect(text).toBe('data: {"a":1}\r\n\r\ndata: [DONE]\n\n');
    expect(events).toEqual([{ a: 1 }]);
  });

  it("adds [DONE] when the upstream ends without it", async () => {
    expect((await relay([chunk("Hi")])).text).toBe(`${chunk("Hi")}data: [DONE]\n\n`);
  });

  it.each([
    ["an error member", 'data: {"error":{"message":"account acct_123 is over quota"}}\n\n'],
    ["an error event", 'event: error\ndata: {"message":"account acct_123 is over quota"}\n\n'],
    ["malformed JSON", "data: account acct_123 is over quota\n\n"],
  ])("ends the stream with the relay's error event on %s, never the upstream's body", async (_, bad) => {
    const { text, ends, errors, aborted } = await relay([chunk("Hi"), bad, chunk("never")]);
    expect(text).not.toContain("acct_123");
    expect(text).not.toContain("never");
    expect(text).toMatch(
      /^data: \{"choices".*\n\ndata: \{"error":\{"code":"upstream_error","message":"The llm (upstream answered an error|stream failed)\."\}\}\n\n$/s,
    );
    expect(ends).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(aborted).toBe(true);
  });

  it("forwards a long frame that arrives a few bytes at a time, CRLF end split across chunks, once and intact", async () => {
    const long = `data: {"choices":[{"delta":{"content":"${"x".repeat(100_000)}"}}]}\r\n\r\n`;
    const parts = [];
    for (let at = 0; at < long.length; at += 7) parts.push(long.slice(at, at + 7));
    const { text, events } = await relay([...parts, "data: [DONE]\n\n"]);
    expect(text).toBe(`${long}data: [DONE]\n\n`);
    expect(events).toHaveLength(1);
  });

  it("refuses a frame that grows past 1 MiB without an end", async () => {
    const { text, errors } = await relay([chunk("Hi"), `data: "${"x".repeat(600_000)}`, "y".repeat(600_000), "\n\n"]);
    expect(text).toBe(`${chunk("Hi")}data: {"error":{"code":"upstream_error","message":"The llm stream failed."}}\n\n`);
    expect(errors).toHaveLength(1);
  });

  it("ignores what comes after [DONE]", async () => {
    const { text } = await relay([chunk("Hi"), "data: [DONE]\n\n", 'data: {"error":"late"}\n\n']);
    expect(text).toBe(`${chunk("Hi")}data: [DONE]\n\n`);
  });
});
