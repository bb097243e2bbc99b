import { describe, expect, it } from "vitest";
import type { LogEntry } from "../relay-log.ts";
import { BatchingRecordWriter } from "./batching-record-writer.ts";
import { eventOp, sessionOp } from "../../test/record-fixtures.ts";
import type { RecordOp } from "./record-op.ts";
import type { SessionStore } from "./session-store.ts";

/** A store that records each batch and fails while `failing(op)` says so. */
function fakeStore(failing: (ops: readonly RecordOp[]) => boolean = () => false) {
  const batches: RecordOp[][] = [];
  const store = {
    async apply(ops: readonly RecordOp[]) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failing(ops)) throw new Error("disk on fire");
      batches.push([...ops]);
    },
  } as Pick<SessionStore, "apply"> as SessionStore;
  return { store, batches };
}

describe("BatchingRecordWriter", () => {
  const logs: LogEntry[] = [];
  const log = (entry: LogEntry) => logs.push(entry);

  it("batches enqueued ops and commits them after the interval, in order", async () => {
    const { store, batches } = fakeStore();
    const writer = new BatchingRecordWriter(store, { flushIntervalMs: 30, log });
    const ops = [sessionOp(), sessionOp(), sessionOp()];
    for (const op of ops) writer.enqueue(op);
    expect(batches).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(batches).toEqual([ops]);
  });

  it("resolves durable writes once committed; the durable writes of one event-loop turn share one transaction", async () => {
    const { store, batches } = fakeStore();
    const writer = new BatchingRecordWriter(store, { flushIntervalMs: 10_000, log });
    const background = sessionOp();
    writer.enqueue(background);
    const a = sessionOp();
    const b = sessionOp();
    const c = sessionOp();
    await Promise.all([writer.durable(a), writer.durable(b), writer.durable(c)]);
    expect(batches).toEqual([[background, a, b, c]]);
    await writer.close();
  });

  it("retries a failing store; durable callers stop waiting after the timeout but nothing is lost", async () => {
    let down = true;
    const { store, batches } = fakeStore(() => down);
    const writer = new BatchingRecordWriter(store, { flushIntervalMs: 10_000, durableTimeoutMs: 50, retryBaseMs: 5, log });
    const op = sessionOp();
    await writer.durable(op);
    expect(batches).toEqual([]);
    expect(writer.pending).toBe(1);
    down = false;
    await writer.flush();
    expect(batches.flat()).toEqual([op]);
    expect(logs.some((l) => l.msg.includes("durable write timed out"))).toBe(true);
  });

  it("drops only the op the store keeps rejecting", async () => {
    const poison = eventOp("x", { type: "poison" });
    const { store, batches } = fakeStore((ops) => ops.includes(poison));
    const writer = new BatchingRecordWriter(store, { flushIntervalMs: 10_000, retryBaseMs: 5, log });
    const good = [sessionOp(), sessionOp()];
    writer.enqueue(good[0]!, poison, good[1]!);
    await writer.flush();
    expect(batches.flat()).toEqual(good);
    expect(logs.some((l) => l.msg.includes("dropped an op"))).toBe(true);
  });
});
