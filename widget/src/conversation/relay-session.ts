/**
 * Keeps a relay session alive for one conversation: opens it, renews it before the token expires
 * (a new session for the same conversation; the transport switches tokens without interrupting
 * requests in flight), and reopens it after a network drop with backoff.
 */
import type { CreateSessionRequest, CreateSessionResponse } from "@voice-agent/relay/protocol";
import { WidgetError } from "../widget-error.ts";
import type { Transport } from "./transport.ts";

/** Options of {@link RelaySession}. */
export interface RelaySessionOptions {
  /** Renew this long before the token expires, ms. */
  refreshLeadMs: number;
  /** Waits before each reconnect attempt, ms. */
  reconnectDelaysMs: readonly number[];
  /** Called with every new session (open, renewal, reconnect). */
  opened(session: CreateSessionResponse): void;
  /** A renewal failed (the owner decides: reconnect or fail). */
  renewFailed(error: WidgetError): void;
}

/** The relay session of one conversation. */
export class RelaySession {
  readonly #transport: Transport;
  readonly #request: CreateSessionRequest;
  readonly #options: RelaySessionOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(transport: Transport, request: CreateSessionRequest, options: RelaySessionOptions) {
    this.#transport = transport;
    this.#request = request;
    this.#options = options;
  }

  /** Opens a session; rejects with the transport's WidgetError. */
  async open(): Promise<CreateSessionResponse> {
    const session = await this.#transport.openSession(this.#request);
    if (this.#closed) return session;
    this.#options.opened(session);
    clearTimeout(this.#timer);
    const delay = Math.max(0, session.expiresAt - Date.now() - this.#options.refreshLeadMs);
    this.#timer = setTimeout(() => {
      this.open().catch((error: unknown) => this.#closed || this.#options.renewFailed(WidgetError.from(error)));
    }, delay);
    return session;
  }

  /**
   * Tries to open a session after each wait; resolves when one opened. Rejects at once on a failure
   * other than `relay-unreachable`, and with the last error when the attempts ran out or `signal` aborted.
   * `wake` resolves early waits (e.g. the browser's `online` event).
   */
  async reconnect(signal: AbortSignal, wake?: () => Promise<void>): Promise<CreateSessionResponse> {
    let last = new WidgetError("relay-unreachable", "The relay cannot be reached.");
    for (const delay of this.#options.reconnectDelaysMs) {
      await sleep(delay, signal, wake?.());
      signal.throwIfAborted();
      try {
        return await this.open();
      } catch (error) {
        last = WidgetError.from(error);
        if (last.code !== "relay-unreachable") throw last;
      }
    }
    throw new WidgetError("relay-unreachable", `The relay could not be reached after ${this.#options.reconnectDelaysMs.length} attempts.`, last);
  }

  /** Stops renewing. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}

function sleep(ms: number, signal: AbortSignal, early?: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener("abort", done, { once: true });
    void early?.then(done);
  });
}
