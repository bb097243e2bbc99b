/** The floating launcher: the button that opens the panel, with a sign of the conversation's state. */
import { html, nothing } from "lit";
import type { ConversationStateKind } from "./state.ts";

/** What the launcher's sign shows (its `data-sign`); each has its own shape, not only a colour. */
export type LauncherSign = "idle" | "listening" | "thinking" | "speaking" | "error";

const SIGNS: Record<ConversationStateKind, LauncherSign> = {
  idle: "idle",
  ended: "idle",
  initializing: "thinking",
  thinking: "thinking",
  reconnecting: "thinking",
  listening: "listening",
  interrupted: "listening",
  responding: "speaking",
  error: "error",
};

/** The sign of a state; a typed conversation has no microphone open, so it is never `listening`. */
export function signOf(kind: ConversationStateKind, typed: boolean): LauncherSign {
  const sign = SIGNS[kind];
  return typed && sign === "listening" ? "idle" : sign;
}

/** The microphone's level as the sign's `--va-level`: 0 at −60 dBFS and below, 1 at −20 dBFS and above. */
export function levelOf(db: number): string {
  return Math.min(1, Math.max(0, (db + 60) / 40)).toFixed(2);
}

/** What {@link launcherButton} shows. */
export interface LauncherView {
  open: boolean;
  sign: LauncherSign;
  /** The button's text (the `launcher` slot's fallback). */
  label: string;
  /** The state, added to the accessible name when the sign is not `idle`. */
  stateLabel: string;
  toggle: () => void;
}

/** The launcher button; the state is part of its accessible name, the sign is decoration. */
export function launcherButton({ open, sign, label, stateLabel, toggle }: LauncherView) {
  return html`<button class="launcher" part="launcher" aria-expanded=${String(open)} aria-controls="panel" @click=${toggle}>
    <span class="sign" part="launcher-sign" data-sign=${sign} aria-hidden="true"><i></i><i></i><i></i></span>
    <slot name="launcher">${label}</slot>${sign === "idle" ? nothing : html`<span class="visually-hidden"> (${stateLabel})</span>`}
  </button>`;
}
