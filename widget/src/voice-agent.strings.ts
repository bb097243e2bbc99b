/** The element's visible and announced strings; replace any of them through `config.strings`. */
import type { ConversationStateKind } from "./state.ts";
import type { WidgetErrorCode } from "./widget-error.ts";

/** Every string the element shows or announces (English defaults in {@link DEFAULT_STRINGS}). */
export interface VoiceAgentStrings {
  /** Header title until the relay names the agent. */
  title: string;
  start: string;
  stop: string;
  /** Turns a typed conversation into a spoken one (opens the microphone). */
  talk: string;
  mute: string;
  unmute: string;
  send: string;
  /** Accessible label of the text input. */
  inputLabel: string;
  inputPlaceholder: string;
  exportHistory: string;
  forget: string;
  /** Launcher button label (launcher layout). */
  open: string;
  close: string;
  transcriptLabel: string;
  offlineDemo: string;
  offlineDemoHint: string;
  /** Marker after the heard part of an interrupted reply. */
  interrupted: string;
  /** Shown when history falls back to memory. */
  storageFallback: string;
  /** Shown after "forget me" completed. */
  forgotten: string;
  /** After a `rate-limited` error when the relay said how long to wait; `{seconds}` is replaced. */
  retryIn: string;
  /** The state while the relay runs one of the agent's server tools (e.g. looks up an order). */
  working: string;
  states: Record<ConversationStateKind, string>;
  errors: Record<WidgetErrorCode, string>;
}

/** English defaults. */
export const DEFAULT_STRINGS: VoiceAgentStrings = {
  title: "Voice agent",
  start: "Start",
  stop: "Stop",
  talk: "Talk",
  mute: "Mute",
  unmute: "Unmute",
  send: "Send",
  inputLabel: "Message",
  inputPlaceholder: "Type a message…",
  exportHistory: "Export history",
  forget: "Forget me",
  open: "Talk to us",
  close: "Close",
  transcriptLabel: "Conversation",
  offlineDemo: "Offline demo upstream",
  offlineDemoHint: "No provider key is configured on the relay: replies come from the local stand-in",
  interrupted: "(interrupted)",
  storageFallback: "History can't be saved in this browser; this conversation is kept until you leave the page.",
  forgotten: "Your local history was deleted and the relay was asked to delete its records.",
  retryIn: "Try again in {seconds} s.",
  working: "Working…",
  states: {
    idle: "Ready",
    initializing: "Starting…",
    listening: "Listening",
    thinking: "Thinking…",
    responding: "Speaking",
    interrupted: "Interrupted",
    reconnecting: "Reconnecting…",
    ended: "Ended",
    error: "Error",
  },
  errors: {
    "mic-denied": "Microphone access was denied. You can type your message instead.",
    "no-mic": "No microphone was found. You can type your message instead.",
    audio: "Audio could not start in this browser.",
    vad: "Speech detection could not load.",
    "relay-unreachable": "The assistant can't be reached. Check your connection and press Start to try again.",
    "origin-not-allowed": "This site is not allowed to use this assistant.",
    unauthorized: "The session expired. Press Start to continue.",
    "rate-limited": "Too many requests. Please wait a moment and try again.",
    upstream: "The assistant's speech or language service failed. Press Start to try again.",
    "bad-request": "The assistant rejected a request.",
    storage: "History can't be saved in this browser.",
    config: "The widget is not set up correctly.",
    internal: "Something went wrong.",
  },
};
