/**
 * Watches a streamed transcription (SSE of `transcript.text.delta` … `transcript.text.done`) on its way to
 * the browser without delaying it, and lets the caller commit the final text before the `done` event
 * leaves (the same durability rule as the non-streamed transcript).
 */

/** The final text of a `transcript.text.done` event's data, else undefined. */
function doneText(data: string): string | undefined {
  if (!data.includes("transcript.text.done")) return undefined;
  try {
    const event = JSON.parse(data) as { type?: unknown; text?: unknown };
    return event.type === "transcript.text.done" && typeof event.text === "string" ? event.text : undefined;
  } catch {
    return undefined;
  }
}

/** Passes `body` through; awaits `beforeDone(text)` before the chunk that completes the `done` event. */
export function teeTranscriptStream(body: ReadableStream<Uint8Array>, beforeDone: (text: string) => Promise<void>): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  let buffer = "";
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        buffer += decoder.decode(chunk, { stream: true }).replaceAll("\r\n", "\n");
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
          const text = doneText(data);
          if (text !== undefined) await beforeDone(text);
        }
        controller.enqueue(chunk);
      },
    }),
  );
}
