/**
 * The records of a realtime call the relay does not see: a WebRTC call the widget started with an
 * ephemeral key (the agent's `realtime.webrtc: "direct"`). The widget tells the relay's records what it
 * saw, as `message` reports: the visitor's transcripts and typed text, the agent's replies with their
 * tokens, and a reply cut by the visitor with what was heard of it.
 */
import type { SessionReport } from "@voice-agent/relay/protocol";
import type { StoredMessage } from "../history/history-store.ts";

/** A response's token counts, as the provider's `response.done` gives them. */
export interface ResponseUsage {
  input_tokens?: number;
  output_tokens?: number;
}

export class CallReports {
  readonly #report: (report: SessionReport) => void;
  /** The replies reported whole: a later cut of one is an `interruption` of its record. */
  readonly #replies = new Set<string>();

  constructor(report: (report: SessionReport) => void) {
    this.#report = report;
  }

  /** The visitor's turn: a transcript, or typed text. */
  said(message: StoredMessage): void {
    if (!message.text) return;
    this.#message(message, "user", message.audioMs === undefined ? {} : { audioMs: Math.round(message.audioMs) });
  }

  /** The agent's reply, once its response ended (it may still be playing). */
  replied(message: StoredMessage, usage: ResponseUsage | undefined): void {
    if (!message.text) return;
    this.#replies.add(message.id);
    this.#message(message, "assistant", {
      ...(usage?.input_tokens === undefined ? {} : { promptTokens: usage.input_tokens }),
      ...(usage?.output_tokens === undefined ? {} : { completionTokens: usage.output_tokens }),
    });
  }

  /** The visitor stopped hearing reply `message` `playedMs` into it (its `heardText` set). */
  cut(message: StoredMessage, playedMs: number): void {
    const heardText = message.heardText ?? "";
    if (this.#replies.has(message.id))
      this.#report({ type: "interruption", messageId: message.id, heardText, playedMs: Math.round(playedMs), ...turnOf(message) });
    else if (message.text) this.#message(message, "assistant", { interrupted: true, heardText });
  }

  #message(message: StoredMessage, role: "user" | "assistant", fields: Partial<Extract<SessionReport, { type: "message" }>>): void {
    this.#report({ type: "message", messageId: message.id, role, text: message.text, ...turnOf(message), ...fields });
  }
}

const turnOf = (message: StoredMessage) => (message.utteranceId ? { turnId: message.utteranceId } : {});
