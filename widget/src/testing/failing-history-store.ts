/** A history store whose writes (and then reads) fail like IndexedDB over its quota. */
import type { HistoryExport, HistoryStore, StoredConversation, StoredMessage } from "../history/history-store.ts";
import { MemoryHistoryStore } from "../history/memory-history-store.ts";
import { WidgetError } from "../widget-error.ts";

export interface FailingHistoryStoreOptions {
  /** Writes that succeed before every call fails. Default 0: fails at once. */
  failAfterWrites?: number;
}

/** Works like memory for `failAfterWrites` writes, then rejects every call with a `storage` error. */
export class FailingHistoryStore implements HistoryStore {
  /** Names of the calls made, in order. */
  readonly calls: string[] = [];
  readonly #inner = new MemoryHistoryStore();
  #writesLeft: number;

  constructor(options: FailingHistoryStoreOptions = {}) {
    this.#writesLeft = options.failAfterWrites ?? 0;
  }

  latestConversation(agentKey: string): Promise<StoredConversation | undefined> {
    return this.#call("latestConversation", false, () => this.#inner.latestConversation(agentKey));
  }
  putConversation(c: StoredConversation): Promise<void> {
    return this.#call("putConversation", true, () => this.#inner.putConversation(c));
  }
  messages(id: string): Promise<StoredMessage[]> {
    return this.#call("messages", false, () => this.#inner.messages(id));
  }
  putMessage(m: StoredMessage): Promise<void> {
    return this.#call("putMessage", true, () => this.#inner.putMessage(m));
  }
  getMeta(key: string): Promise<string | undefined> {
    return this.#call("getMeta", false, () => this.#inner.getMeta(key));
  }
  setMeta(key: string, value: string): Promise<void> {
    return this.#call("setMeta", true, () => this.#inner.setMeta(key, value));
  }
  exportAll(): Promise<HistoryExport> {
    return this.#call("exportAll", false, () => this.#inner.exportAll());
  }
  clear(): Promise<void> {
    return this.#call("clear", true, () => this.#inner.clear());
  }

  async #call<T>(name: string, write: boolean, run: () => Promise<T>): Promise<T> {
    this.calls.push(name);
    if (this.#writesLeft <= 0)
      throw new WidgetError(
        "storage",
        "The browser's storage quota for this site is used up.",
        new DOMException("quota", "QuotaExceededError"),
      );
    if (write) this.#writesLeft--;
    return run();
  }
}
