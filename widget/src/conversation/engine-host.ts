import type { CreateSessionResponse } from "@voice-agent/relay/protocol";
import type { InterimText, VoiceAgentEventMap } from "../events.ts";
import type { ConversationEvent, ConversationState } from "../state.ts";
import type { ConversationLog } from "./conversation-log.ts";

/** What the `ConversationEngine` needs from the element's controller (`SessionController`). */
export interface EngineHost {
  readonly state: ConversationState;
  /** Whether the visitor muted the mic. */
  readonly muted: boolean;
  readonly log: ConversationLog;
  /** Applies a state event; returns whether the state changed. */
  apply(event: ConversationEvent): boolean;
  /** Fails the conversation: state `error` and a fatal `va-error`. */
  fail(error: unknown): void;
  emit<K extends keyof VoiceAgentEventMap>(name: K, detail: VoiceAgentEventMap[K]): void;
  setInterim(interim: InterimText | undefined): void;
  setSession(session: CreateSessionResponse): void;
  /** The microphone's level, dBFS, once per 32 ms frame while it is open (the launcher's sign). */
  level(db: number): void;
  /** Called whenever the engine is back in `listening` (queued typed text may go now). */
  idle(): void;
}
