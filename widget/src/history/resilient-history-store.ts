/**
 * A {@link HistoryStore} that mirrors every write into memory and, on the first failure of the primary
 * store (IndexedDB unavailable, quota exceeded), continues in memory without losing anything written or
 * read so far, and tells its owner once.
 */
import { WidgetError } from "../widget-error.ts";
import type { HistoryExport, HistoryStore, StoredConversation, StoredMessage } from "./history-store.ts";
import { MemoryHistoryStore } from "./memory-history-store.ts";

/** Wraps `primary` (or, when it is a rejected promise, starts in memory). */
export class ResilientHistoryStore implements HistoryStore {
  readonly #memory = new MemoryHistoryStore();
  readonly #onFallback: (error: WidgetError) => void;
  #primary: HistoryStore | undefined;

  /** `onFallback` is called once, with a `storage` error, when memory takes over. */
  constructor(primary: HistoryStore | undefined, onFallback: (error: WidgetError) => void) {
    this.#primary = primary;
    this.#onFallback = onFallback;
  }

  /** Whether writes still reach the primary (persistent) store. */
  get persistent(): boolean {
    return this.#primary !== undefined;
  }

  async latestConversation(agentKey: string): Promise<StoredConversation | undefined> {
    const found = await this.#read(
      (s) => s.latestConversation(agentKey),
      () => this.#memory.latestConversation(agentKey),
    );
    if (found) await this.#memory.putConversation(found);
    return found;
  }

  putConversation(conversation: StoredConversation): Promise<void> {
    return this.#write((s) => s.putConversation(conversation));
  }

  async messages(conversationId: string): Promise<StoredMessage[]> {
    const found = await this.#read(
      (s) => s.messages(conversationId),
      () => this.#memory.messages(conversationId),
    );
    for (const m of found) await this.#memory.putMessage(m);
    return found;
  }

  putMessage(message: StoredMessage): Promise<void> {
    return this.#write((s) => s.putMessage(message));
  }

  async getMeta(key: string): Promise<string | undefined> {
    const value = await this.#read(
      (s) => s.getMeta(key),
      () => this.#memory.getMeta(key),
    );
    if (value !== undefined) await this.#memory.setMeta(key, value);
    return value;
  }

  setMeta(key: string, value: string): Promise<void> {
    return this.#write((s) => s.setMeta(key, value));
  }

  exportAll(): Promise<HistoryExport> {
    return this.#read(
      (s) => s.exportAll(),
      () => this.#memory.exportAll(),
    );
  }

  clear(): Promise<void> {
    return this.#write((s) => s.clear());
  }

  async #read<T>(primary: (s: HistoryStore) => Promise<T>, memory: () => Promise<T>): Promise<T> {
    if (this.#primary) {
      try {
        return await primary(this.#primary);
      } catch (error) {
        this.#fallBack(error);
      }
    }
    return memory();
  }

  async #write(op: (s: HistoryStore) => Promise<void>): Promise<void> {
    await op(this.#memory);
    if (!this.#primary) return;
    try {
      await op(this.#primary);
    } catch (error) {
      this.#fallBack(error);
    }
  }

  #fallBack(error: unknown): void {
    if (!this.#primary) return;
    this.#primary = undefined;
    const cause = WidgetError.from(error);
    this.#onFallback(cause.code === "storage" ? cause : new WidgetError("storage", "Local history storage failed.", error));
  }
}
