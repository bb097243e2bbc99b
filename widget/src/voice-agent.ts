/**
 * `<voice-agent relay-url="…" agent="…">`: an embeddable voice agent. The element only declares its
 * properties, renders, and composes the {@link SessionController} that does the work.
 */
import { LitElement, html, nothing } from "lit";
import { resolveConfig, type VoiceAgentConfig } from "./config.ts";
import { SessionController } from "./session-controller.ts";
import { styles } from "./voice-agent.styles.ts";

const LABELS: Record<string, string> = {
  idle: "Ready",
  initializing: "Starting…",
  listening: "Listening",
  thinking: "Thinking…",
  responding: "Speaking",
  interrupted: "Interrupted",
  ended: "Ended",
  error: "Error",
};

/** The voice agent element. Register it with the `define` entry. */
export class VoiceAgent extends LitElement {
  static override styles = styles;
  static override properties = {
    relayUrl: { attribute: "relay-url" },
    agent: {},
    config: { attribute: false },
  };

  /** The relay's absolute base URL (attribute `relay-url`). */
  declare relayUrl: string | undefined;
  /** Agent id configured on the relay (attribute `agent`). */
  declare agent: string | undefined;
  /** Everything that is not an embed essential; see {@link VoiceAgentConfig}. */
  declare config: VoiceAgentConfig;

  readonly #session = new SessionController(this, () => resolveConfig(this.relayUrl, this.agent, this.config));

  constructor() {
    super();
    this.config = {};
  }

  /** The conversation state (see the `va-state` event). */
  get state() {
    return this.#session.state;
  }

  /** Starts the conversation (asks for the mic). Call from a user gesture. */
  start(): void {
    this.#session.start();
  }

  /** Ends the conversation. */
  stop(): void {
    this.#session.stop();
  }

  override render() {
    const { state, lines, session } = this.#session;
    const active = state.kind !== "idle" && state.kind !== "ended" && state.kind !== "error";
    return html`<section class="panel" part="panel">
      <header part="header">
        <strong>${session?.agent.name ?? "Voice agent"}</strong>
        ${session?.upstream === "offline-demo" ? html`<span class="offline" part="offline-label" title="No provider key is configured on the relay: replies come from the local stand-in">Offline demo upstream</span>` : nothing}
        <span class="state" part="state" role="status">${LABELS[state.kind]}</span>
      </header>
      ${state.kind === "error" ? html`<p class="error" part="error" role="alert">${state.message} (${state.code})</p>` : nothing}
      <ol part="transcript" aria-live="polite">
        ${lines.map((line) => html`<li data-role=${line.role} part="line ${line.role}">${line.text}</li>`)}
      </ol>
      <button part="button" @click=${() => (active ? this.stop() : this.start())}>${active ? "Stop" : "Start"}</button>
    </section>`;
  }
}
