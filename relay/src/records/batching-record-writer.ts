import type { RelayLog } from "../relay-log.ts";
import type { RecordOp } from "./record-op.ts";
import type { SessionStore } from "./session-store.ts";

export interface BatchingRecordWriterOptions {
  /** How long ordinary ops wait to be batched (ms); default 200. */
  flushIntervalMs?: number;
  /** Most ops per transaction; default 1000. */
  maxBatch?: number;
  /**
   * Longest a {@link BatchingRecordWriter.durable} caller waits (ms) before giving up on the store and
   * letting the response go (the op stays queued and is retried); default 2000.
   */
  durableTimeoutMs?: number;
  /** First retry delay after a failed commit (ms), doubling up to 5 s; default 100. */
  retryBaseMs?: number;
  /** Ops kept in memory while the store is failing; beyond it new ops are dropped (logged). Default 100 000. */
  maxQueued?: number;
  log: RelayLog;
}

interface Waiter {
  seq: number;
  resolve: () => void;
}

/**
 * Queues record writes and commits them in batches, off the request path. Two speeds:
 * - {@link enqueue}: fire and forget; committed within `flushIntervalMs`.
 * - {@link durable}: resolves once the op is committed. Durable ops share one transaction (group
 *   commit): the ops of one event-loop turn (e.g. replies of many streams ending together) are committed
 *   together at its end, and ops that arrive during a commit join the next one.
 * Ops commit in enqueue order. A failing store is retried with backoff; a batch that keeps failing is
 * applied op by op and the ops that still fail are dropped with a log line, so one bad op cannot block
 * the queue.
 */
export class BatchingRecordWriter {
  readonly #store: SessionStore;
  readonly #flushIntervalMs: number;
  readonly #maxBatch: number;
  readonly #durableTimeoutMs: number;
  readonly #maxQueued: number;
  readonly #retryBaseMs: number;
  readonly #log: RelayLog;
  #queue: RecordOp[] = [];
  /** Sequence number of the last enqueued op and of the last committed (or dropped) one. */
  #enqueued = 0;
  #committed = 0;
  #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The commit of durable ops at the end of the current event-loop turn. */
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(store: SessionStore, options: BatchingRecordWriterOptions) {
    this.#store = store;
    this.#flushIntervalMs = options.flushIntervalMs ?? 200;
    this.#maxBatch = options.maxBatch ?? 1000;
    this.#durableTimeoutMs = options.durableTimeoutMs ?? 2000;
    this.#maxQueued = options.maxQueued ?? 100_000;
    this.#retryBaseMs = options.retryBaseMs ?? 100;
    this.#log = options.log;
  }

  /** Ops waiting to be committed. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues ops; they are committed within `flushIntervalMs`. */
  enqueue(...ops: RecordOp[]): void {
    if (this.#closed) throw new Error("BatchingRecordWriter is closed.");
    if (this.#queue.length + ops.length > this.#maxQueued) {
      this.#log({ level: "error", msg: "records: queue full (store failing?), dropped new ops", dropped: ops.length });
      return;
    }
    this.#queue.push(...ops);
    this.#enqueued += ops.length;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#kick();
    }, this.#flushIntervalMs);
  }

  /**
   * Queues ops and resolves once they are committed, or after `durableTimeoutMs` when the store is
   * unavailable (availability over records: the caller's response must not hang on a database).
   */
  durable(...ops: RecordOp[]): Promise<void> {
    this.enqueue(...ops);
    const done = this.#until(this.#enqueued);
    this.#immediate ??= setImmediate(() => {
      this.#immediate = undefined;
      void this.#kick();
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#log({ level: "warn", msg: "records: durable write timed out; answering anyway" });
        resolve();
      }, this.#durableTimeoutMs);
    });
    return Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  }

  /** Resolves when every op enqueued before the call is committed (or dropped). */
  async flush(): Promise<void> {
    const done = this.#until(this.#enqueued);
    void this.#kick();
    await done;
  }

  /** Flushes, then refuses new ops. Idempotent. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
  }

  #until(seq: number): Promise<void> {
    if (this.#committed >= seq) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ seq, resolve }));
  }

  #kick(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        void this.#kick();
      }
    });
    return this.#running;
  }

  async #drain(): Promise<void> {
    let failures = 0;
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#maxBatch);
      try {
        if (failures >= 3) await this.#applyOneByOne(batch);
        else await this.#store.apply(batch);
        failures = 0;
      } catch (err) {
        failures++;
        this.#log({
          level: "error",
          msg: "records: store write failed, retrying",
          ops: batch.length,
          attempt: failures,
          error: (err as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.#retryBaseMs * 2 ** (failures - 1), 5000)));
        continue;
      }
      this.#queue.splice(0, batch.length);
      this.#committed += batch.length;
      this.#release();
    }
  }

  async #applyOneByOne(batch: RecordOp[]): Promise<void> {
    for (const op of batch) {
      try {
        await this.#store.apply([op]);
      } catch (err) {
        this.#log({ level: "error", msg: "records: dropped an op the store keeps rejecting", op: op.op, error: (err as Error).message });
      }
    }
  }

  #release(): void {
    const ready = this.#waiters.filter((w) => w.seq <= this.#committed);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => w.seq > this.#committed);
    for (const waiter of ready) waiter.resolve();
  }
}
