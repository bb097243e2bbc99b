/** The behaviour every {@link HistoryStore} implementation must have; run against each of them. */
import { describe, expect, test } from "vitest";
import type { HistoryStore, StoredMessage } from "./history-store.ts";

function message(conversationId: string, seq: number, extra: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id: `${conversationId}-${seq}`,
    conversationId,
    seq,
    role: seq % 2 ? "user" : "assistant",
    text: `m${seq}`,
    createdAt: seq,
    ...extra,
  };
}

/** Registers the contract tests for stores made by `make` (each test gets a fresh, empty store). */
export function historyStoreContract(name: string, make: () => Promise<HistoryStore>): void {
  describe(`HistoryStore contract: ${name}`, () => {
    test("latestConversation picks the newest for the agent key only", async () => {
      const store = await make();
      expect(await store.latestConversation("a")).toBeUndefined();
      await store.putConversation({ id: "c1", agentKey: "a", createdAt: 1, updatedAt: 10 });
      await store.putConversation({ id: "c2", agentKey: "a", createdAt: 2, updatedAt: 20 });
      await store.putConversation({ id: "c3", agentKey: "b", createdAt: 3, updatedAt: 30 });
      expect((await store.latestConversation("a"))?.id).toBe("c2");
      await store.putConversation({ id: "c1", agentKey: "a", createdAt: 1, updatedAt: 40 });
      expect((await store.latestConversation("a"))?.id).toBe("c1");
    });

    test("messages come back in seq order with every field, and put replaces", async () => {
      const store = await make();
      const full = message("c", 1, {
        sessionId: "s",
        startMs: 100,
        endMs: 900,
        confidence: 0.9,
        tokenCount: 12,
        utteranceId: "u1",
        audioMs: 800,
        interrupted: true,
        heardText: "m",
        latency: { sttMs: 1, llmFirstTokenMs: 2, llmTotalMs: 3, ttsFirstByteMs: 4, turnMs: 5 },
        toolCalls: [{ id: "t", name: "f", arguments: "{}" }],
      });
      await store.putMessage(message("c", 2));
      await store.putMessage(full);
      await store.putMessage(message("c", 0));
      await store.putMessage(message("other", 0));
      expect((await store.messages("c")).map((m) => m.seq)).toEqual([0, 1, 2]);
      expect((await store.messages("c"))[1]).toEqual(full);
      await store.putMessage({ ...full, text: "changed" });
      expect((await store.messages("c"))[1]!.text).toBe("changed");
    });

    test("meta values persist; clear wipes everything; export lists conversations with messages", async () => {
      const store = await make();
      await store.setMeta("visitorId", "v1");
      await store.putConversation({ id: "c", agentKey: "a", createdAt: 1, updatedAt: 1 });
      await store.putMessage(message("c", 0));
      expect(await store.getMeta("visitorId")).toBe("v1");
      const exported = await store.exportAll();
      expect(exported.format).toBe("voice-agent-history");
      expect(exported.conversations).toHaveLength(1);
      expect(exported.conversations[0]!.messages.map((m) => m.text)).toEqual(["m0"]);
      await store.clear();
      expect(await store.getMeta("visitorId")).toBeUndefined();
      expect(await store.latestConversation("a")).toBeUndefined();
      expect(await store.messages("c")).toEqual([]);
    });
  });
}
