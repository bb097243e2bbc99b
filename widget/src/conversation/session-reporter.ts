/**
 * Sends what only the widget knows to the relay's session records (`POST /v1/session-events`): session
 * start, state changes, interruptions with the heard text, per-turn latencies, errors and the end.
 * Reports are batched in a small queue and flushed at the end of a turn, when the page is hidden, at the
 * end, or when the queue is full. Sending never blocks the conversation; a failed batch goes back to the
 * front of the queue for the next flush (interruptions and a direct call's messages are kept before anything else when it overflows).
 * Reports belong to the session they were queued in: once another session takes over
 * ({@link SessionReporter.useSession}), what the old one could not take is dropped rather than recorded in
 * the next one.
 */
import type { SessionReport } from "@voice-agent/relay/protocol";
import type { SessionTransport } from "./transport.ts";

/** Most reports one request carries (the relay accepts 1–50). */
const MAX_BATCH = 50;
/** Most reports kept while the relay cannot be reached; the oldest non-interruption reports go first. */
const MAX_QUEUE = 200;

/** Queues and sends the widget's reports of one conversation. */
export class SessionReporter {
  readonly #transport: SessionTransport;
  readonly #queue: SessionReport[] = [];
  #sending: Promise<void> | undefined;
  #ended = false;
  #sessionId: string | undefined;
  /** Counts session replacements: a batch that fails after one is not queued again. */
  #replacements = 0;

  constructor(transport: SessionTransport) {
    this.#transport = transport;
  }

  /** Reports waiting to be sent (for tests). */
  get pending(): readonly SessionReport[] {
    return this.#queue;
  }

  /** Queues a report (stamped with the widget's clock); ignored after the end was reported. */
  add(report: SessionReport): void {
    if (this.#ended) return;
    this.#queue.push({ at: Date.now(), ...report });
    this.#trim();
    if (this.#queue.length >= MAX_BATCH) void this.flush();
  }

  /**
   * Sends what is queued. `keepalive` lets the request outlive the page (`pagehide`); `sendBeacon` cannot
   * carry the relay token. Never rejects.
   */
  flush(options: { keepalive?: boolean } = {}): Promise<void> {
    // The page is going away: send what is queued now, without waiting for a batch in flight.
    if (options.keepalive) return this.#drain(true);
    this.#sending ??= this.#drain(false).finally(() => (this.#sending = undefined));
    return this.#sending;
  }

  /**
   * The session the transport now reports to. When it replaces another (the relay ended or lost it),
   * what is still queued belongs to the old session, whose token is gone, and is dropped: flush before
   * the replacement to send it.
   */
  useSession(sessionId: string): void {
    if (this.#sessionId !== undefined && sessionId !== this.#sessionId) {
      this.#replacements++;
      this.#queue.length = 0;
    }
    this.#sessionId = sessionId;
  }

  async #drain(keepalive: boolean): Promise<void> {
    const replacements = this.#replacements;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      try {
        await this.#transport.report(batch, { keepalive });
      } catch {
        if (replacements !== this.#replacements) return;
        this.#queue.unshift(...batch);
        this.#trim();
        return;
      }
    }
  }

  /** Drops the oldest reports beyond {@link MAX_QUEUE}, interruptions and messages last. */
  #trim(): void {
    while (this.#queue.length > MAX_QUEUE) {
      const i = this.#queue.findIndex((r) => r.type !== "interruption" && r.type !== "message");
      this.#queue.splice(i < 0 ? 0 : i, 1);
    }
  }

  /**
   * Follows the page until {@link unwatchPage}: a hidden page sends what is queued, and a page going away
   * reports the `unload` end with a request that outlives the page.
   */
  watchPage(): void {
    addEventListener("pagehide", this.#onPageHide);
    document.addEventListener("visibilitychange", this.#onVisibility);
  }

  /** Stops following the page. */
  unwatchPage(): void {
    removeEventListener("pagehide", this.#onPageHide);
    document.removeEventListener("visibilitychange", this.#onVisibility);
  }

  readonly #onPageHide = (): void => void this.end("unload");

  readonly #onVisibility = (): void => {
    if (document.visibilityState === "hidden") void this.flush({ keepalive: true });
  };

  /** Reports the end and sends everything; later reports are ignored. */
  end(reason: "hangup" | "unload" | "error"): Promise<void> {
    if (this.#ended) return Promise.resolve();
    this.add({ type: "end", reason });
    this.#ended = true;
    return this.flush({ keepalive: true });
  }
}
