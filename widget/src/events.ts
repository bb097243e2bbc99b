/** The DOM events `<voice-agent>` dispatches (bubbling, composed), declared once. */
import type { ConversationState } from "./state.ts";
import type { PlaybackReport } from "./audio/worklet-messages.ts";
import type { WidgetErrorCode } from "./widget-error.ts";

/** A line of the visible transcript. */
export interface TranscriptLine {
  role: "user" | "assistant";
  text: string;
  /** False while the text is still streaming in. */
  final: boolean;
}

/** Event name → detail type. */
export interface VoiceAgentEventMap {
  /** The conversation state changed. */
  "va-state": ConversationState;
  /** A transcript line was completed (user transcript or assistant reply text). */
  "va-transcript": TranscriptLine;
  /** A reply finished playing: what was heard of it. */
  "va-playback": PlaybackReport;
  /** A runtime error; the state is `error` with the same code. */
  "va-error": { code: WidgetErrorCode; message: string };
}

/** Dispatches a typed, bubbling, composed event from `target`. */
export function emit<K extends keyof VoiceAgentEventMap>(target: EventTarget, name: K, detail: VoiceAgentEventMap[K]): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    "va-state": CustomEvent<ConversationState>;
    "va-transcript": CustomEvent<TranscriptLine>;
    "va-playback": CustomEvent<PlaybackReport>;
    "va-error": CustomEvent<{ code: WidgetErrorCode; message: string }>;
  }
}
