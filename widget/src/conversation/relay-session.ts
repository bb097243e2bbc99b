/**
 * Keeps a relay session alive for one conversation: opens it, refreshes its token before it expires
 * (same session; the transport switches tokens without interrupting requests in flight), opens a new
 * session for the same conversation only when the session's end is near or the relay lost it, and
 * reconnects after a network drop with backoff.
 */
import type { CreateSessionRequest, CreateSessionResponse } from "@voice-agent/relay/protocol";
import { relayErrorHandling } from "../relay-error-codes.ts";
import { WidgetError } from "../widget-error.ts";
import type { SessionTransport } from "./transport.ts";

export interface RelaySessionOptions {
  /** Renew this long before the token expires (and open the next session this long before the session ends), ms. */
  refreshLeadMs: number;
  /** Waits before each reconnect attempt, ms. */
  reconnectDelaysMs: readonly number[];
  /** Called with the session after every change (open, refresh, new session, reconnect). */
  opened(session: CreateSessionResponse): void;
  /** A renewal failed (the owner decides: reconnect or fail). */
  renewFailed(error: WidgetError): void;
  /** Runs before a new session replaces the current one, while the current token is still the transport's. */
  beforeReplace?(): Promise<void>;
}

/** The relay session of one conversation. */
export class RelaySession {
  readonly #transport: SessionTransport;
  readonly #request: CreateSessionRequest;
  readonly #options: RelaySessionOptions;
  #session: CreateSessionResponse | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(transport: SessionTransport, request: CreateSessionRequest, options: RelaySessionOptions) {
    this.#transport = transport;
    this.#request = request;
    this.#options = options;
    transport.onTokenExpired = () => this.renew();
  }

  /** The current session, once opened. */
  get session(): CreateSessionResponse | undefined {
    return this.#session;
  }

  /** Opens a new session (same conversation); rejects with the transport's WidgetError. */
  async open(): Promise<CreateSessionResponse> {
    if (this.#session) await this.#options.beforeReplace?.();
    return this.#use(await this.#transport.openSession(this.#request));
  }

  /**
   * Renews: refreshes the token of the current session while it lives, and opens a new session when
   * it has ended (or is about to) or the relay no longer knows it. Rejects with the transport's error.
   */
  async renew(): Promise<CreateSessionResponse> {
    const session = this.#session;
    // A refresh cannot extend a token past the session's end: once the token reaches it, a new session continues.
    if (!session || session.expiresAt >= session.sessionEndsAt) return this.open();
    try {
      const fresh = await this.#transport.refreshSession();
      return this.#use({ ...session, ...fresh });
    } catch (error) {
      const e = WidgetError.from(error);
      // The relay no longer accepts this session (ended, idle, expired token, unknown): a new one continues the conversation.
      const action = relayErrorHandling(e.relayCode).action;
      if (e.relayCode === "unauthorized" || action === "renew" || action === "new-session") return this.open();
      throw e;
    }
  }

  /**
   * Tries to renew the session after each wait; resolves when it could. Rejects at once on a failure
   * other than `relay-unreachable`, and with the last error when the attempts ran out or `signal` aborted.
   * `wake` resolves early waits (e.g. the browser's `online` event).
   */
  async reconnect(signal: AbortSignal, wake?: () => Promise<void>): Promise<CreateSessionResponse> {
    let last = new WidgetError("relay-unreachable", "The relay cannot be reached.");
    for (const delay of this.#options.reconnectDelaysMs) {
      await sleep(delay, signal, wake?.());
      signal.throwIfAborted();
      try {
        return await this.renew();
      } catch (error) {
        last = WidgetError.from(error);
        if (last.code !== "relay-unreachable") throw last;
      }
    }
    throw new WidgetError(
      "relay-unreachable",
      `The relay could not be reached after ${this.#options.reconnectDelaysMs.length} attempts.`,
      last,
    );
  }

  /** Stops renewing. */
  close(): void {
    this.#closed = true;
    this.#transport.onTokenExpired = undefined;
    clearTimeout(this.#timer);
  }

  #use(session: CreateSessionResponse): CreateSessionResponse {
    this.#session = session;
    if (this.#closed) return session;
    this.#options.opened(session);
    clearTimeout(this.#timer);
    // The token is refreshed before it expires; when it already lasts to the session's end, the next
    // session is opened before that end instead (a refresh could not extend it).
    // A token that lives shorter than twice the lead is renewed at half its life, not at once (no loop).
    const until = Math.min(session.expiresAt, session.sessionEndsAt);
    const renewAt = until - Math.min(this.#options.refreshLeadMs, (until - Date.now()) / 2);
    this.#timer = setTimeout(
      () => {
        this.renew().catch((error: unknown) => this.#closed || this.#options.renewFailed(WidgetError.from(error)));
      },
      Math.max(0, renewAt - Date.now()),
    );
    return session;
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
