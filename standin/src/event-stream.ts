const encoder = new TextEncoder();

/** One server-sent-event frame carrying `data` (JSON-encoded unless already a string). */
export function sseFrame(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/**
 * A pull-based byte stream over `chunks`: nothing is produced before the client reads, and when
 * the client goes away mid-way (`cancel`), `onAbort` runs and the generator is closed (its
 * `finally` blocks run).
 */
export function byteStream(chunks: AsyncIterable<Uint8Array>, onAbort: () => void): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      onAbort();
      await iterator.return?.();
    },
  });
}

/** Resolves after `ms` milliseconds (immediately for 0). */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Splits text into word deltas that concatenate back to it: `"a b"` → `["a", " b"]`. */
export function wordDeltas(text: string): string[] {
  return text.match(/\s*\S+\s*$|\s*\S+/g) ?? [];
}
