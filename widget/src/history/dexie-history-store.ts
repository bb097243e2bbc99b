/** A {@link HistoryStore} in IndexedDB through Dexie: the visitor's history survives reloads. */
import { Dexie, type EntityTable } from "dexie";
import { WidgetError } from "../widget-error.ts";
import type { HistoryExport, HistoryStore, StoredConversation, StoredMessage } from "./history-store.ts";

/** Default IndexedDB database name. */
export const DEFAULT_DB_NAME = "voice-agent";

type Db = Dexie & {
  conversations: EntityTable<StoredConversation, "id">;
  messages: EntityTable<StoredMessage, "id">;
  meta: EntityTable<{ key: string; value: string }, "key">;
};

/**
 * The schema, one entry per version. To change it, append a version with its stores and an
 * `upgrade(tx)` that rewrites old rows; never edit a released version.
 */
function openDb(name: string): Db {
  const db = new Dexie(name) as Db;
  db.version(1).stores({
    conversations: "id, [agentKey+updatedAt]",
    messages: "id, [conversationId+seq]",
    meta: "key",
  });
  return db;
}

/** IndexedDB-backed history. Every failure rejects with a `storage` WidgetError. */
export class DexieHistoryStore implements HistoryStore {
  readonly #db: Db;

  private constructor(db: Db) {
    this.#db = db;
  }

  /** Opens (creating or upgrading) the database; rejects with `storage` when IndexedDB is unusable. */
  static async open(name = DEFAULT_DB_NAME): Promise<DexieHistoryStore> {
    const db = openDb(name);
    await guard(() => db.open());
    return new DexieHistoryStore(db);
  }

  latestConversation(agentKey: string): Promise<StoredConversation | undefined> {
    return guard(() =>
      this.#db.conversations.where("[agentKey+updatedAt]").between([agentKey, Dexie.minKey], [agentKey, Dexie.maxKey]).last(),
    );
  }

  putConversation(conversation: StoredConversation): Promise<void> {
    return guard(async () => void (await this.#db.conversations.put(conversation)));
  }

  messages(conversationId: string): Promise<StoredMessage[]> {
    return guard(() =>
      this.#db.messages.where("[conversationId+seq]").between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey]).toArray(),
    );
  }

  putMessage(message: StoredMessage): Promise<void> {
    return guard(async () => void (await this.#db.messages.put(message)));
  }

  getMeta(key: string): Promise<string | undefined> {
    return guard(async () => (await this.#db.meta.get(key))?.value);
  }

  setMeta(key: string, value: string): Promise<void> {
    return guard(async () => void (await this.#db.meta.put({ key, value })));
  }

  exportAll(): Promise<HistoryExport> {
    return guard(async () => {
      const conversations = (await this.#db.conversations.toArray()).sort((a, b) => a.createdAt - b.createdAt);
      const withMessages = await Promise.all(conversations.map(async (c) => ({ ...c, messages: await this.messages(c.id) })));
      return { format: "voice-agent-history" as const, version: 1 as const, exportedAt: Date.now(), conversations: withMessages };
    });
  }

  clear(): Promise<void> {
    return guard(() =>
      this.#db.transaction("rw", this.#db.conversations, this.#db.messages, this.#db.meta, async () => {
        await Promise.all([this.#db.conversations.clear(), this.#db.messages.clear(), this.#db.meta.clear()]);
      }),
    );
  }

  /** Closes the connection. */
  close(): void {
    this.#db.close();
  }
}

async function guard<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    const quota =
      (cause as { name?: string; inner?: { name?: string } }).name === "QuotaExceededError" ||
      (cause as { inner?: { name?: string } }).inner?.name === "QuotaExceededError";
    throw new WidgetError(
      "storage",
      quota ? "The browser's storage quota for this site is used up." : "Local history storage (IndexedDB) is unavailable.",
      cause,
    );
  }
}
