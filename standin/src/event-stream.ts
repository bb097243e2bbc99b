const encoder = new TextEncoder();

/** One server-sent-event frame carrying `data` (JSON-encoded unless already a string). */
export function sseFrame(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/**
 * A pull-based byte stream over the chunks `produce` yields: nothing is produced before the client
 * reads (not even one chunk ahead), and when the client goes away mid-way (`cancel`), `onAbort` runs, the signal given to
 * `produce` aborts (ending any wait of the producer) and the generator is closed (its `finally` blocks
 * run).
 */
export function byteStream(produce: (signal: AbortSignal) => AsyncIterable<Uint8Array>, onAbort: () => void): ReadableStream<Uint8Array> {
  const abort = new AbortController();
  const iterator = produce(abort.signal)[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        // A wait cut short by `cancel` resumes the producer after the stream closed.
        if (abort.signal.aborted) return;
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        onAbort();
        abort.abort();
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Splits text into word deltas that concatenate back to it: `"a b"` → `["a", " b"]`. */
export function wordDeltas(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? [];
}
