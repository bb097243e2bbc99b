/** A {@link HistoryStore} in memory: the fallback when IndexedDB is unavailable, and the test double. */
import type { HistoryExport, HistoryStore, StoredConversation, StoredMessage } from "./history-store.ts";

/** Keeps history in maps; lost on reload. */
export class MemoryHistoryStore implements HistoryStore {
  #conversations = new Map<string, StoredConversation>();
  #messages = new Map<string, StoredMessage>();
  #meta = new Map<string, string>();

  async latestConversation(agentKey: string): Promise<StoredConversation | undefined> {
    let latest: StoredConversation | undefined;
    for (const c of this.#conversations.values()) if (c.agentKey === agentKey && (!latest || c.updatedAt >= latest.updatedAt)) latest = c;
    return latest && { ...latest };
  }

  async putConversation(conversation: StoredConversation): Promise<void> {
    this.#conversations.set(conversation.id, { ...conversation });
  }

  async messages(conversationId: string): Promise<StoredMessage[]> {
    return [...this.#messages.values()]
      .filter((m) => m.conversationId === conversationId)
      .sort((a, b) => a.seq - b.seq)
      .map((m) => structuredClone(m));
  }

  async putMessage(message: StoredMessage): Promise<void> {
    this.#messages.set(message.id, structuredClone(message));
  }

  async getMeta(key: string): Promise<string | undefined> {
    return this.#meta.get(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.#meta.set(key, value);
  }

  async exportAll(): Promise<HistoryExport> {
    const conversations = await Promise.all(
      [...this.#conversations.values()]
        .sort((a, b) => a.createdAt - b.createdAt)
        .map(async (c) => ({ ...c, messages: await this.messages(c.id) })),
    );
    return { format: "voice-agent-history", version: 1, exportedAt: Date.now(), conversations };
  }

  async clear(): Promise<void> {
    this.#conversations.clear();
    this.#messages.clear();
    this.#meta.clear();
  }
}
