import { expect, test } from "vitest";
import type { WidgetError } from "../widget-error.ts";
import { historyStoreContract } from "./history-store.contract.ts";
import { MemoryHistoryStore } from "./memory-history-store.ts";
import { ResilientHistoryStore } from "./resilient-history-store.ts";
import { FailingHistoryStore } from "../testing/failing-history-store.ts";

historyStoreContract("MemoryHistoryStore", async () => new MemoryHistoryStore());
historyStoreContract("ResilientHistoryStore over memory", async () => new ResilientHistoryStore(new MemoryHistoryStore(), () => {}));
historyStoreContract("ResilientHistoryStore after a fallback", async () => new ResilientHistoryStore(new FailingHistoryStore(), () => {}));

test("ResilientHistoryStore falls back once, keeps everything written before and after", async () => {
  const primary = new FailingHistoryStore({ failAfterWrites: 2 });
  const fallbacks: WidgetError[] = [];
  const store = new ResilientHistoryStore(primary, (e) => fallbacks.push(e));
  await store.putConversation({ id: "c", agentKey: "a", createdAt: 1, updatedAt: 1 });
  await store.putMessage({ id: "m0", conversationId: "c", seq: 0, role: "user", text: "before", createdAt: 1 });
  expect(store.persistent).toBe(true);
  await store.putMessage({ id: "m1", conversationId: "c", seq: 1, role: "assistant", text: "after", createdAt: 2 });
  await store.putMessage({ id: "m2", conversationId: "c", seq: 2, role: "user", text: "later", createdAt: 3 });
  expect(store.persistent).toBe(false);
  expect(fallbacks.map((e) => e.code)).toEqual(["storage"]);
  expect((await store.messages("c")).map((m) => m.text)).toEqual(["before", "after", "later"]);
  expect((await store.latestConversation("a"))?.id).toBe("c");
});
