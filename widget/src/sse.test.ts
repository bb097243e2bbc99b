import { describe, expect, it } from "vitest";
import { readSse } from "./sse.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe("readSse", () => {
  it("yields data payloads across chunk boundaries, CRLF and comments", async () => {
    const out: string[] = [];
    for await (const data of readSse(streamOf(': ping\n\ndata: {"a"', ":1}\r\n\r\nevent: x\ndata: two\n\ndata: [DONE]\n\n")))
      out.push(data);
    expect(out).toEqual(['{"a":1}', "two", "[DONE]"]);
  });

  it("splits multi-byte characters safely", async () => {
    const bytes = new TextEncoder().encode("data: héllo\n\n");
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 8));
        c.enqueue(bytes.subarray(8));
        c.close();
      },
    });
    const out: string[] = [];
    for await (const data of readSse(body)) out.push(data);
    expect(out).toEqual(["héllo"]);
  });
});
