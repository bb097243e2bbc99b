/**
 * An async iterable that starts reading its source on `start()` and buffers until consumed: a request
 * made ahead of its reader (the next sentence's speech, a speculative reply).
 */
export class Buffered<T> implements AsyncIterable<T> {
  #open: () => AsyncIterable<T>;
  #chunks: T[] = [];
  #done = false;
  #error: unknown;
  #wake: (() => void) | undefined;
  #started = false;

  constructor(open: () => AsyncIterable<T>) {
    this.#open = open;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void (async () => {
      try {
        for await (const chunk of this.#open()) {
          this.#chunks.push(chunk);
          this.#wake?.();
        }
      } catch (error) {
        this.#error = error;
      }
      this.#done = true;
      this.#wake?.();
    })();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#done) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}
