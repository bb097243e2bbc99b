/**
 * What every mode's {@link Conversation} does the same way: the relay session (open, renew, reconnect
 * with backoff), the session reports, the audio port's life, the `interrupted` hold, and the end. A mode
 * adds its turns, its replies and, where it has one, its call ({@link openCall}, {@link closeCall}).
 */
import type { SessionEndReason, SessionReport } from "@voice-agent/relay/protocol";
import type { ResolvedConfig } from "../config.ts";
import type { StoredMessage } from "../history/history-store.ts";
import { recoverable, relayErrorHandling } from "../relay-error-codes.ts";
import { WidgetError } from "../widget-error.ts";
import type { AudioEngineEvents, AudioPort } from "./audio-port.ts";
import type { Conversation, ConversationHost } from "./conversation.ts";
import { RelaySession } from "./relay-session.ts";
import { SessionReporter } from "./session-reporter.ts";
import type { Transport } from "./transport.ts";

/** How long `interrupted` waits for the interrupting utterance before listening again, ms. */
const INTERRUPTED_HOLD_MS = 4000;

export abstract class SessionConversation implements Conversation {
  protected readonly host: ConversationHost;
  protected readonly config: ResolvedConfig;
  protected readonly transport: Transport;
  /** Aborted by {@link close}: every request, timer and call of the conversation ends with it. */
  protected readonly abort = new AbortController();
  protected readonly reporter: SessionReporter;
  protected relay: RelaySession | undefined;
  protected audio: AudioPort | undefined;
  readonly #mode: "cascade" | "realtime";
  #holdTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: ConversationHost, config: ResolvedConfig, transport: Transport, mode: "cascade" | "realtime") {
    this.host = host;
    this.config = config;
    this.transport = transport;
    this.#mode = mode;
    this.reporter = new SessionReporter(transport);
  }

  abstract sendText(text: string): void;
  abstract interrupt(playedMs: number | undefined, toInterrupted: boolean): void;
  /** Greets with the agent's `greeting` (spoken when `speak` and the mode can), ending in `listening`. */
  protected abstract greet(greeting: string, speak: boolean): Promise<void>;
  /** What the audio engine reports, for the mode to handle. */
  protected abstract readonly audioEvents: AudioEngineEvents;

  /** The mode's own connection, opened with the session and again after each reconnect (rejects with a WidgetError). */
  protected async openCall(): Promise<void> {}

  /** Ends the mode's own connection, before a reconnect and at the end. */
  protected closeCall(): void {}

  /** Queues a report for the relay's session records (sent in batches, never awaited). */
  report(report: SessionReport): void {
    if (this.relay?.session) this.reporter.add(report);
  }

  /** Opens the relay session, the audio (when given) and the mode's call, then greets or listens. */
  async open(audioPending: AudioPort | Promise<AudioPort> | undefined, agentKey: string, greetSpoken: boolean): Promise<void> {
    const signal = this.abort.signal;
    try {
      const log = this.host.log;
      const [visitorId, conversation] = await Promise.all([log.visitorId(), log.ensureConversation(agentKey)]);
      const { context } = this.config;
      const request = { agent: this.config.agent, visitorId, conversationId: conversation.id, ...(context ? { context } : {}) };
      this.relay = new RelaySession(this.transport, this.#mode === "realtime" ? { ...request, mode: "realtime" } : request, {
        refreshLeadMs: this.config.refreshLeadMs,
        reconnectDelaysMs: this.config.reconnectDelaysMs,
        opened: (session) => {
          this.reporter.useSession(session.sessionId);
          this.host.setSession(session);
        },
        beforeReplace: () => this.reporter.flush(),
        renewFailed: (error) => (recoverable(error) ? void this.reconnect() : this.host.fail(error)),
      });
      const audio = await audioPending;
      this.audio = audio;
      audio?.setMuted(this.host.muted);
      if (signal.aborted) return audio?.close();
      await Promise.all([this.relay.open(), audio?.start(this.audioEvents)]);
      await this.#openFirstCall();
    } catch (error) {
      if (!signal.aborted) this.host.fail(error);
      return;
    }
    if (signal.aborted) return;
    const rate = this.audio?.deviceRate;
    this.report({ type: "start", ...(rate ? { sampleRate: rate } : {}), language: navigator.language });
    this.reporter.watchPage();
    const greeting = this.relay.session?.agent.greeting;
    // A visitor who typed first still sees the greeting, but is not talked over.
    if (this.config.greet && greeting && this.host.log.messages.length === 0) await this.greet(greeting, greetSpoken);
    else this.host.apply({ type: "ready" });
    this.host.idle();
  }

  /**
   * Opens the mode's call at the start. The session was opened while the audio started, which waits for the
   * visitor to answer the browser's mic prompt: when the relay no longer takes it (it idled meanwhile, or
   * ended), a new session for the same conversation opens the call (once).
   */
  async #openFirstCall(): Promise<void> {
    try {
      await this.openCall();
    } catch (error) {
      if (this.abort.signal.aborted || relayErrorHandling(WidgetError.from(error).relayCode).action !== "new-session") throw error;
      await this.relay!.open();
      if (!this.abort.signal.aborted) await this.openCall();
    }
  }

  /** Mutes or unmutes the visitor's mic. */
  setMuted(muted: boolean): void {
    this.audio?.setMuted(muted);
  }

  /** Shows `reconnecting`, reopens the relay session (and the call) with backoff (fails when it cannot); true once back. */
  async reconnect(): Promise<boolean> {
    const relay = this.relay;
    if (!relay || !this.host.apply({ type: "connection-lost" })) return false;
    this.interrupt(undefined, false);
    this.closeCall();
    const online = () => new Promise<void>((resolve) => addEventListener("online", () => resolve(), { once: true }));
    try {
      await relay.reconnect(this.abort.signal, online);
      if (this.abort.signal.aborted) return false;
      await this.openCall();
      this.host.apply({ type: "ready" });
      this.host.idle();
      return true;
    } catch (error) {
      if (!this.abort.signal.aborted) this.host.fail(error);
      return false;
    }
  }

  /**
   * Ends the conversation's requests, timers, call and audio (the state is the host's business), and
   * reports the end to the records: `hangup` (stop), `error` (with the error first).
   */
  close(reason: SessionEndReason = "hangup", error?: WidgetError): void {
    this.interrupt(undefined, false);
    this.reporter.unwatchPage();
    if (error) this.report({ type: "error", code: error.code, message: error.message.slice(0, 500) });
    if (this.relay?.session) void this.reporter.end(reason);
    this.clearHold();
    this.abort.abort();
    this.closeCall();
    this.relay?.close();
    this.audio?.close();
  }

  /**
   * How much of reply `replyId` was played, ms: `playedMs` when the audio loop reported it (it silenced the
   * reply itself), else the player is stopped here and its last report says.
   */
  protected playedOf(replyId: number, playedMs: number | undefined): number {
    if (playedMs !== undefined) return playedMs;
    const player = this.audio?.player;
    player?.stop();
    return player?.progress?.replyId === replyId ? player.progress.playedMs : 0;
  }

  /** Stores `message` as cut where the visitor stopped hearing it (`heard`) and tells the page (`va-interruption`). */
  protected keepHeard(message: StoredMessage, replyId: number, playedMs: number, heard: string, toInterrupted: boolean): void {
    Object.assign(message, { interrupted: true, heardText: heard, ...(toInterrupted ? {} : { stopped: true }) });
    void this.host.log.save(message);
    this.host.emit("va-interruption", { messageId: message.id, replyId, playedMs, heardText: heard, fullText: message.text });
  }

  /** The visitor barged in: `interrupted`, back to listening if no utterance follows within a few seconds. */
  protected holdInterrupted(): void {
    if (!this.host.apply({ type: "barge-in" })) return;
    this.clearHold();
    this.#holdTimer = setTimeout(() => this.host.apply({ type: "ready" }) && this.host.idle(), INTERRUPTED_HOLD_MS);
  }

  /** A turn began: the `interrupted` hold is over. */
  protected clearHold(): void {
    clearTimeout(this.#holdTimer);
  }

  protected sessionId(): { sessionId?: string } {
    const session = this.relay?.session;
    return session ? { sessionId: session.sessionId } : {};
  }
}
