/**
 * The seam between the element's controller and what carries a conversation: one {@link Conversation}
 * interface, one implementation per mode, chosen by {@link loadConversation}. A conversation changes the
 * state only through its host's `apply` (the state machine's events) and tells the page what happened
 * through its host's `emit` (the `va-*` events of {@link ConversationEventName}); the controller owns the
 * state, the history log, `va-state`, `va-error` and `va-message`.
 */
import type { CreateSessionResponse, SessionEndReason, SessionReport } from "@voice-agent/relay/protocol";
import type { ResolvedConfig, VoiceAgentMode } from "../config.ts";
import type { InterimText, VoiceAgentEventMap } from "../events.ts";
import type { ConversationEvent, ConversationState } from "../state.ts";
import type { WidgetError } from "../widget-error.ts";
import type { AudioPort } from "./audio-port.ts";
import type { ConversationLog } from "./conversation-log.ts";
import type { Transport } from "./transport.ts";

/** The `va-*` events a conversation emits (the controller emits the others). */
export type ConversationEventName = "va-transcript" | "va-interruption" | "va-tool-call" | "va-metrics" | "va-playback";

/** What a conversation needs from the element's controller (`SessionController`). */
export interface ConversationHost {
  readonly state: ConversationState;
  /** Whether the visitor muted the mic. */
  readonly muted: boolean;
  readonly log: ConversationLog;
  /** Applies a state event; returns whether the state changed. */
  apply(event: ConversationEvent): boolean;
  /** Fails the conversation: state `error` and a fatal `va-error`. */
  fail(error: unknown): void;
  emit<K extends ConversationEventName>(name: K, detail: VoiceAgentEventMap[K]): void;
  setInterim(interim: InterimText | undefined): void;
  /** The relay is running the agent's server tool `tool` (shown as working), or no longer (undefined). */
  setWorking(tool: string | undefined): void;
  setSession(session: CreateSessionResponse): void;
  /** The microphone's level, dBFS, once per 32 ms frame while it is open (the launcher's sign). */
  level(db: number): void;
  /** Called whenever the conversation is back in `listening` (queued typed text may go now). */
  idle(): void;
}

/**
 * One started conversation. It owns its audio port from `open()` on (starts it, receives its events,
 * mutes and closes it) and its relay session; `close()` releases everything.
 */
export interface Conversation {
  /**
   * Opens the relay session and the audio (when given), then greets (spoken when `greetSpoken`) or
   * listens. Never rejects: a failure goes to the host's `fail`.
   */
  open(audio: AudioPort | Promise<AudioPort> | undefined, agentKey: string, greetSpoken: boolean): Promise<void>;
  /** The visitor's typed text: interrupts a reply in progress, then takes the turn. */
  sendText(text: string): void;
  /**
   * Ends the reply in progress, keeping what the visitor heard (`playedMs` by the playback clock; the
   * player's own count when undefined); `toInterrupted`: the visitor took the turn (state `interrupted`).
   */
  interrupt(playedMs: number | undefined, toInterrupted: boolean): void;
  /** Mutes or unmutes the visitor's mic. */
  setMuted(muted: boolean): void;
  /** Shows `reconnecting`, reopens the relay session with backoff; true once back. */
  reconnect(): Promise<boolean>;
  /** Queues a report for the relay's session records. */
  report(report: SessionReport): void;
  /** Ends requests, timers and audio, and reports the end (`error` with the error first). */
  close(reason?: SessionEndReason, error?: WidgetError): void;
}

/** Makes the conversation of one start. */
export type ConversationFactory = (host: ConversationHost, config: ResolvedConfig, transport: Transport) => Conversation;

/** The conversation of `mode`, its code loaded on first use (the script-tag loader stays small). */
export async function loadConversation(mode: VoiceAgentMode): Promise<ConversationFactory> {
  switch (mode) {
    case "cascade":
    case "text": {
      // A typed conversation is the cascade without audio.
      const { CascadeConversation } = await import("./cascade-conversation.ts");
      return (host, config, transport) => new CascadeConversation(host, config, transport);
    }
    case "realtime": {
      const { RealtimeConversation } = await import("./realtime-conversation.ts");
      return (host, config, transport) => new RealtimeConversation(host, config, transport);
    }
  }
}
