/**
 * `<voice-agent relay-url="…" agent="…">`: an embeddable voice agent. The element only declares its
 * properties, renders, and composes the {@link SessionController} that does the work.
 */
import { LitElement, html, nothing } from "lit";
import { layoutOf, resolveConfig, type ResolvedConfig, type VoiceAgentConfig, type VoiceAgentLayout } from "./config.ts";
import type { HistoryExport, StoredMessage } from "./history/history-store.ts";
import { launcherButton, levelOf, signOf } from "./launcher.ts";
import { launcherStyles } from "./launcher.styles.ts";
import { defaultServices, preloadAudioEngine, type VoiceAgentServices } from "./services.ts";
import { SessionController } from "./session-controller.ts";
import { isActive, type ConversationState } from "./state.ts";
import { loadLocaleStrings, localeOf, type Locale } from "./strings/locale-strings.ts";
import { DEFAULT_STRINGS, type VoiceAgentStrings } from "./voice-agent.strings.ts";
import { styles } from "./voice-agent.styles.ts";

/**
 * The voice agent element. Register it with the `define` entry (or `customElements.define` yourself).
 *
 * @tag voice-agent
 * @attr relay-url - The relay's absolute base URL (required).
 * @attr agent - Agent id configured on the relay (required).
 * @attr mode - `cascade` (default: speech in and out), `realtime` (speech-to-speech) or `text` (typing only, no microphone).
 * @attr transport - For `mode="realtime"`: `websocket` (default: events and audio over the relay's WebSocket) or `webrtc` (a WebRTC call the relay creates: audio as media tracks, events on a data channel).
 * @attr layout - `launcher` (default: a floating button opens the panel) or `inline` (the panel is part of the page).
 * @attr lang - Language of the UI strings and the transcription hint (else the nearest ancestor's `lang`): en, fr, de, es, it ship.
 * @attr data-state - Reflects the conversation state (read-only).
 * @attr muted - Present while the visitor's side is muted (read-only).
 * @slot launcher - Content of the launcher button (launcher layout).
 * @slot header - Replaces the header title.
 * @csspart launcher - The floating launcher button; its accessible name includes the state.
 * @csspart launcher-sign - The launcher's state sign (`data-sign`: idle, listening, thinking, speaking, error).
 * @csspart panel - The conversation panel.
 * @csspart header - The panel header.
 * @csspart title - The agent name.
 * @csspart state - The state label.
 * @csspart error - The error message.
 * @csspart notice - Non-fatal notices (history kept in memory, forget-me done).
 * @csspart transcript - The list of messages.
 * @csspart line - Each message (also `user`, `assistant`, `interim`, `interrupted`).
 * @csspart composer - The text form.
 * @csspart input - The text input.
 * @csspart button - Every button (also `start`, `talk`, `mute`, `send`, `export`, `forget`).
 * @cssprop --va-accent - Accent colour (buttons, visitor bubbles). Default #2563eb.
 * @cssprop --va-bg - Panel background.
 * @cssprop --va-fg - Text colour.
 * @cssprop --va-muted - Secondary text colour.
 * @cssprop --va-radius - Corner radius. Default 12px.
 * @cssprop --va-font - Font shorthand. Default 15px/1.4 system-ui, sans-serif.
 * @fires va-state - The conversation state changed.
 * @fires va-interim - Interim visitor transcript or streaming reply text.
 * @fires va-transcript - A transcript line was completed.
 * @fires va-message - A message was stored in local history.
 * @fires va-interruption - The visitor interrupted a reply.
 * @fires va-tool-call - A client tool ran.
 * @fires va-error - A runtime error (`fatal` ones put the state in `error`).
 * @fires va-metrics - Timings of a finished turn.
 * @fires va-playback - A reply finished playing.
 */
export class VoiceAgent extends LitElement {
  static override styles = [styles, launcherStyles];
  static override properties = {
    relayUrl: { attribute: "relay-url" },
    agent: {},
    mode: {},
    transport: {},
    layout: {},
    config: { attribute: false },
    services: { attribute: false },
  };

  /** The relay's absolute base URL (attribute `relay-url`). */
  declare relayUrl: string | undefined;
  /** Agent id configured on the relay (attribute `agent`). */
  declare agent: string | undefined;
  /** `cascade` (default), `realtime` or `text` (attribute `mode`). */
  declare mode: string | undefined;
  /** `websocket` (default) or `webrtc` for a realtime conversation (attribute `transport`); wins over `config.transport`. */
  declare transport: string | undefined;
  /** `launcher` (default) or `inline` (attribute `layout`); wins over `config.layout`. */
  declare layout: VoiceAgentLayout | undefined;
  /** Everything that is not an embed essential; see {@link VoiceAgentConfig}. Validated on `start()`. */
  declare config: VoiceAgentConfig;
  /** Replacement collaborators (tests, custom transports). Set before the element is connected. */
  declare services: Partial<VoiceAgentServices>;

  /** Whether the launcher's panel is open (launcher layout). */
  #open = false;
  readonly #session = new SessionController(
    this,
    () => this.#config(),
    () => ({ ...defaultServices, ...this.services }),
    (db) => this.renderRoot.querySelector<HTMLElement>(".sign")?.style.setProperty("--va-level", levelOf(db)),
  );

  constructor() {
    super();
    this.config = {};
    this.services = {};
  }

  /** The conversation state (see the `va-state` event). */
  get state(): ConversationState {
    return this.#session.state;
  }

  /** Whether the visitor's side is muted. */
  get muted(): boolean {
    return this.#session.muted;
  }

  /** The current conversation's stored messages (restored history included). */
  get messages(): readonly StoredMessage[] {
    return this.#session.log.messages;
  }

  /** Starts or resumes the conversation (asks for the mic in `cascade` mode). Call from a user gesture. */
  start(): void {
    this.#session.start();
  }

  /** Ends the conversation and releases the mic; history is kept and `start()` continues it. */
  stop(): void {
    this.#session.stop();
  }

  /** Mutes (`true`), unmutes (`false`) or toggles the visitor's microphone side. */
  mute(muted?: boolean): void {
    this.#session.mute(muted);
  }

  /** Sends `text` as the visitor's turn (starts a text-only conversation when none is running). */
  sendText(text: string): void {
    this.#session.sendText(text);
  }

  /** The visitor's local history as JSON-ready data (the visitor id, a secret, is left out). */
  exportHistory(): Promise<HistoryExport> {
    return this.#session.exportHistory();
  }

  /** "Forget me": wipes local history and asks the relay to delete this visitor's records. */
  forget(): Promise<void> {
    return this.#session.forget();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.services.audio) {
      // Start fetching the audio engine (VAD, WASM glue) on the first sign of interest, not at load.
      for (const type of ["pointerenter", "focusin", "touchstart"])
        this.addEventListener(type, this.#preload, { once: true, passive: true });
    }
  }

  #setOpen(open: boolean): void {
    this.#open = open;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(open ? "input" : ".launcher")?.focus());
  }

  override render() {
    const config = this.#safeConfig();
    const strings = config?.strings ?? DEFAULT_STRINGS;
    const { state, interim, notice, session, muted, working } = this.#session;
    // A typed conversation has no microphone: it is not "listening", has nothing to mute, and offers to talk.
    const typed = isActive(state) && !this.#session.voice;
    const active = isActive(state);
    const launcher = this.#layout() === "launcher";
    const voice = (config?.mode ?? "cascade") === "cascade";
    // A reply cut before a word of it was heard is not part of what the visitor saw.
    const lines = this.#session.log.messages.filter((m) => m.role !== "tool" && m.text && !(m.interrupted && !m.heardText));
    const firstUser = lines.findIndex((m) => m.role === "user");
    const stateLabel = working ? strings.working : strings.states[typed && state.kind === "listening" ? "idle" : state.kind];
    return html`${
        launcher
          ? launcherButton({
              open: this.#open,
              sign: signOf(state.kind, typed),
              label: this.#open ? strings.close : strings.open,
              stateLabel,
              toggle: () => this.#setOpen(!this.#open),
            })
          : nothing
      }
      <section
        id="panel"
        class="panel"
        part="panel"
        aria-label=${session?.agent.name ?? strings.title}
        ?hidden=${launcher && !this.#open}
        @keydown=${this.#onKeydown}
      >
        <header part="header">
          <slot name="header"><strong part="title">${session?.agent.name ?? strings.title}</strong></slot>
          ${session?.upstream === "offline-demo" ? html`<span class="offline" part="offline-label" title=${strings.offlineDemoHint}>${strings.offlineDemo}</span>` : nothing}
          <span class="state" part="state" data-kind=${state.kind} ?data-working=${working !== undefined} role="status">${stateLabel}</span>
        </header>
        ${state.kind === "error" ? html`<p class="error" part="error" role="alert" title=${state.message}>${strings.errors[state.code]}${state.retryAfterMs ? ` ${strings.retryIn.replace("{seconds}", String(Math.ceil(state.retryAfterMs / 1000)))}` : ""} <small>(${state.code})</small></p>` : nothing}
        ${notice ? html`<p class="notice" part="notice" role="status">${notice === "storage" ? strings.storageFallback : strings.forgotten}</p>` : nothing}
        <div role="log" aria-label=${strings.transcriptLabel} aria-live="polite" class="log">
          <ol part="transcript" @scroll=${this.#onScroll}>
            ${lines.map((m, i) => this.#line(m, strings.interrupted, firstUser >= 0 && i > firstUser))}
          </ol>
        </div>
        ${interim ? html`<p class="pending" data-role=${interim.role} data-interim part="line interim ${interim.role}" aria-hidden="true">${interim.text}</p>` : nothing}
        <form part="composer" @submit=${this.#onSubmit}>
          <label for="input" class="visually-hidden">${strings.inputLabel}</label>
          <input id="input" part="input" name="text" autocomplete="off" placeholder=${strings.inputPlaceholder} />
          <button part="button send" type="submit">${strings.send}</button>
        </form>
        <div class="controls" part="controls">
          ${
            typed && voice
              ? html`<button part="button talk" @click=${this.#talk}>${strings.talk}</button>`
              : html`<button part="button start" @click=${this.#toggle}>${active ? strings.stop : strings.start}</button>`
          }
          ${voice && active && !typed ? html`<button part="button mute" aria-pressed=${String(muted)} @click=${() => this.mute()}>${muted ? strings.unmute : strings.mute}</button>` : nothing}
          <button class="secondary" part="button export" @click=${this.#download}>${strings.exportHistory}</button>
          <button class="secondary" part="button forget" @click=${() => void this.forget().catch(() => {})}>${strings.forget}</button>
        </div>
      </section>`;
  }

  /**
   * One transcript line. A cut reply shows what was heard; it is marked interrupted only when the visitor
   * took the turn in the middle of an answer (not a greeting cut short, not Stop).
   */
  #line(m: StoredMessage, interruptedLabel: string, afterVisitorSpoke: boolean) {
    const role = m.role as "user" | "assistant";
    if (!m.interrupted) return html`<li data-role=${role} part="line ${role}">${m.text}</li>`;
    if (m.stopped || !afterVisitorSpoke) return html`<li data-role=${role} part="line ${role}">${m.heardText}</li>`;
    return html`<li data-role=${role} data-interrupted part="line ${role} interrupted">
      ${m.heardText} <small>${interruptedLabel}</small>
    </li>`;
  }

  /** Whether the transcript follows the newest line: until the visitor scrolls up to read, and again once back at the end. */
  #followTranscript = true;

  #onScroll = (event: Event): void => {
    const log = event.currentTarget as HTMLElement;
    this.#followTranscript = log.scrollTop + log.clientHeight >= log.scrollHeight - 24;
  };

  protected override updated(): void {
    const log = this.renderRoot.querySelector<HTMLElement>("[part=transcript]");
    if (log && this.#followTranscript) log.scrollTop = log.scrollHeight;
  }

  /** From a typed conversation to a spoken one: a new relay session with the microphone, the same conversation. */
  #talk = (): void => {
    this.stop();
    this.#toggle();
  };

  #toggle = (): void => {
    if (isActive(this.state)) this.stop();
    else {
      try {
        this.start();
      } catch {
        // A config error: shown in the panel and sent as `va-error`.
      }
    }
  };

  #onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem("text") as HTMLInputElement;
    const text = input.value;
    input.value = "";
    try {
      this.sendText(text);
    } catch {
      // A config error: shown in the panel and sent as `va-error`.
    }
  };

  #onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== "Escape" || this.#layout() !== "launcher") return;
    this.#setOpen(false);
  };

  #download = async (): Promise<void> => {
    const data = await this.exportHistory();
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
    const a = Object.assign(document.createElement("a"), { href: url, download: "voice-agent-history.json" });
    this.renderRoot.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  #preload = (): void => {
    if ((this.#safeConfig()?.mode ?? "cascade") === "cascade") void preloadAudioEngine().catch(() => {});
  };

  #config(): ResolvedConfig {
    const attributes = {
      relayUrl: this.relayUrl,
      agent: this.agent,
      mode: this.mode,
      transport: this.transport,
      lang: this.#lang(),
      layout: this.layout,
    };
    return resolveConfig(attributes, this.config, this.#locale?.strings);
  }

  /** The layout to render; a bad value renders the launcher, and `start()` reports it as a `config` error. */
  #layout(): VoiceAgentLayout {
    try {
      return layoutOf(this.layout, this.config.layout);
    } catch {
      return "launcher";
    }
  }

  /** The element's language: its own `lang`, else the nearest ancestor's (the page's). */
  #lang(): string | undefined {
    return this.closest("[lang]")?.getAttribute("lang") || undefined;
  }

  /** The shipped strings of the element's language, once loaded (English needs none). */
  #locale: { locale: Locale; strings: VoiceAgentStrings } | undefined;
  /** The language whose strings are loading or loaded. */
  #wanted: Locale | undefined;

  protected override willUpdate(): void {
    const locale = localeOf(this.#lang());
    if (locale === this.#wanted) return;
    this.#wanted = locale;
    if (!locale) {
      this.#locale = undefined;
      return;
    }
    void loadLocaleStrings(locale).then(
      (strings) => {
        if (localeOf(this.#lang()) !== locale) return;
        this.#locale = { locale, strings };
        this.requestUpdate();
      },
      () => {}, // English stays: a missing chunk must not break the widget.
    );
  }

  #safeConfig(): ResolvedConfig | undefined {
    try {
      return this.#config();
    } catch {
      return undefined;
    }
  }
}
