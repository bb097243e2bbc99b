/**
 * The current conversation's messages: restored from history, appended and updated as the
 * conversation goes, persisted through a {@link ResilientHistoryStore} (memory takes over on failure).
 */
import type { HistoryExport, HistoryStore, StoredConversation, StoredMessage } from "../history/history-store.ts";
import { ResilientHistoryStore } from "../history/resilient-history-store.ts";
import { randomId, randomSecret } from "../random-id.ts";
import { WidgetError } from "../widget-error.ts";
import { buildContext } from "./context-builder.ts";
import type { WireMessage } from "./wire.ts";

const VISITOR_ID = "visitorId";

/** Callbacks of {@link ConversationLog}. */
export interface ConversationLogEvents {
  /** A message was stored or updated. */
  saved(message: StoredMessage): void;
  /** Persistent storage failed; history continues in memory. */
  fallback(error: WidgetError): void;
}

/** Messages of the conversation with one agent, and the visitor id. */
export class ConversationLog {
  /** Stored messages in order. */
  messages: StoredMessage[] = [];
  conversation: StoredConversation | undefined;
  #store: Promise<ResilientHistoryStore>;
  #events: ConversationLogEvents;
  #restoring: { agentKey: string; done: Promise<void> } | undefined;

  constructor(open: () => Promise<HistoryStore>, events: ConversationLogEvents) {
    this.#events = events;
    this.#store = open().then(
      (store) => new ResilientHistoryStore(store, (e) => events.fallback(e)),
      (error) => {
        const store = new ResilientHistoryStore(undefined, (e) => events.fallback(e));
        events.fallback(toStorageError(error));
        return store;
      },
    );
  }

  /** Whether history is persisted (false once it fell back to memory). */
  async persistent(): Promise<boolean> {
    return (await this.#store).persistent;
  }

  /** Loads the newest conversation for `agentKey` once (concurrent callers share the load). */
  restore(agentKey: string): Promise<void> {
    if (this.#restoring?.agentKey !== agentKey) this.#restoring = { agentKey, done: this.#load(agentKey) };
    return this.#restoring.done;
  }

  async #load(agentKey: string): Promise<void> {
    const store = await this.#store;
    const conversation = await store.latestConversation(agentKey);
    if (!conversation || this.conversation) return;
    const messages = await store.messages(conversation.id);
    if (this.conversation) return;
    this.conversation = conversation;
    this.messages = messages;
  }

  /** The conversation to continue, created when there is none. */
  async ensureConversation(agentKey: string): Promise<StoredConversation> {
    await this.restore(agentKey);
    if (!this.conversation) {
      const now = Date.now();
      this.conversation = { id: randomId(), agentKey, createdAt: now, updatedAt: now };
      await (await this.#store).putConversation(this.conversation);
    }
    return this.conversation;
  }

  /** The visitor's id (created and stored on first use). A bearer secret: never shown or exported. */
  async visitorId(): Promise<string> {
    const store = await this.#store;
    let id = await store.getMeta(VISITOR_ID);
    if (!id) await store.setMeta(VISITOR_ID, (id = randomSecret()));
    return id;
  }

  /** A new message of the current conversation, not yet stored (`seq` is set by {@link save}). */
  draft(fields: Pick<StoredMessage, "role" | "text"> & Partial<StoredMessage>): StoredMessage {
    if (!this.conversation) throw new Error("ConversationLog.draft() before ensureConversation().");
    return { id: randomId(), conversationId: this.conversation.id, seq: -1, createdAt: Date.now(), ...fields };
  }

  /** Stores `message` (appending it on first save, replacing it after). Never rejects. */
  async save(message: StoredMessage): Promise<void> {
    if (message.seq < 0) {
      message.seq = (this.messages.at(-1)?.seq ?? -1) + 1;
      this.messages = [...this.messages, message];
    } else {
      this.messages = this.messages.map((m) => (m.id === message.id ? message : m));
    }
    const store = await this.#store;
    const snapshot = structuredClone(message);
    await store.putMessage(snapshot);
    if (this.conversation) {
      this.conversation.updatedAt = Date.now();
      await store.putConversation({ ...this.conversation });
    }
    this.#events.saved(snapshot);
  }

  /** Context for the next model request: the last `maxTurns` turns (as they will be once `next` is stored). */
  context(maxTurns: number, next?: StoredMessage): WireMessage[] {
    return buildContext(next ? [...this.messages, next] : this.messages, maxTurns);
  }

  exportAll(): Promise<HistoryExport> {
    return this.#store.then((s) => s.exportAll());
  }

  /** Deletes all local history and the visitor id; the next start begins a new conversation. */
  async clear(): Promise<void> {
    this.messages = [];
    this.conversation = undefined;
    this.#restoring = undefined;
    await (await this.#store).clear();
  }
}

function toStorageError(error: unknown): WidgetError {
  return error instanceof WidgetError && error.code === "storage"
    ? error
    : new WidgetError("storage", "Local history storage is unavailable.", error);
}
