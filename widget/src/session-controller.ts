/**
 * The element's conversation controller: owns the one state (changed only through {@link transition}),
 * the local history log, and the public verbs. The turn machinery (the {@link Conversation} of the mode)
 * is loaded on the first start, so the script-tag loader stays small. DOM events are emitted from here only.
 * It creates the audio port inside the visitor's click (the AudioContext must start there) and hands it to
 * the conversation, which owns it from then on; it owns `muted`, which the conversation applies.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { CreateSessionResponse } from "@voice-agent/relay/protocol";
import type { ResolvedConfig } from "./config.ts";
import type { AudioPort } from "./conversation/audio-port.ts";
import { loadConversation, type Conversation, type ConversationHost } from "./conversation/conversation.ts";
import { ConversationLog } from "./conversation/conversation-log.ts";
import { emit, type InterimText, type VoiceAgentEventMap } from "./events.ts";
import type { HistoryExport } from "./history/history-store.ts";
import { MemoryHistoryStore } from "./history/memory-history-store.ts";
import type { VoiceAgentServices } from "./services.ts";
import { isActive, transition, type ConversationEvent, type ConversationState } from "./state.ts";
import { WidgetError } from "./widget-error.ts";

/** One element's conversation; the element renders `state`, `log.messages`, `interim`, `notice`. */
export class SessionController implements ReactiveController {
  state: ConversationState = { kind: "idle" };
  muted = false;
  /** Whether the conversation started (or last started) with the microphone: false for a typed conversation. */
  voice = false;
  /** Text being recognised or generated (shown as a pending line). */
  interim: InterimText | undefined;
  /** The server tool the relay is running for the reply (the state shows as working), if any. */
  working: string | undefined;
  /** A non-fatal notice: history fell back to memory, or forget-me completed. */
  notice: "storage" | "forgotten" | undefined;
  /** The relay session as last opened (the running one is the conversation's): the panel shows its agent. */
  session: CreateSessionResponse | undefined;
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #resolve: () => ResolvedConfig;
  readonly #services: () => VoiceAgentServices;
  readonly #onLevel: (db: number) => void;
  #log: ConversationLog | undefined;
  #engine: Conversation | undefined;
  #pendingText: string | undefined;
  /** `start()` ran without transient user activation, where the browser tells (`navigator.userActivation`). */
  #noGesture = false;

  /** `onLevel`: the microphone's level, dBFS, once per 32 ms frame while the microphone is open. */
  constructor(
    host: ReactiveControllerHost & HTMLElement,
    resolve: () => ResolvedConfig,
    services: () => VoiceAgentServices,
    onLevel: (db: number) => void,
  ) {
    this.#host = host;
    this.#resolve = resolve;
    this.#services = services;
    this.#onLevel = onLevel;
    host.addController(this);
  }

  /** The conversation's messages (restored history included). Opened on first use. */
  get log(): ConversationLog {
    if (!this.#log) {
      const memory = this.#configOrUndefined()?.history === "memory";
      this.#log = new ConversationLog(memory ? async () => new MemoryHistoryStore() : () => this.#services().history(), {
        saved: (message) => this.#emit("va-message", message),
        fallback: (error) => {
          this.notice = "storage";
          this.#emit("va-error", { code: "storage", message: error.message, fatal: false });
          this.#host.requestUpdate();
        },
      });
    }
    return this.#log;
  }

  hostConnected(): void {
    const config = this.#configOrUndefined();
    if (config) void this.log.restore(agentKey(config)).then(() => this.#host.requestUpdate());
    addEventListener("offline", this.#onOffline);
  }

  hostDisconnected(): void {
    removeEventListener("offline", this.#onOffline);
    this.stop();
  }

  /** Starts (or resumes) the conversation. Call from a user gesture. Throws a `config` error for bad setup. */
  start(options: { voice?: boolean } = {}): void {
    let config: ResolvedConfig;
    try {
      config = this.#resolve();
    } catch (error) {
      this.#apply({ type: "start" });
      this.#fail(error);
      throw error;
    }
    if (!this.#apply({ type: "start" })) return;
    this.#noGesture = navigator.userActivation?.isActive === false;
    if (this.notice === "forgotten") this.notice = undefined;
    const services = this.#services();
    let audio: AudioPort | Promise<AudioPort> | undefined;
    try {
      // Synchronous: the AudioContext is created and resumed inside the visitor's click (see services.ts).
      const voice = (this.voice = config.mode !== "text" && options.voice !== false);
      audio = voice ? services.audio({ assetBase: config.assetBase, worker: config.audioWorker, turn: config.turn }) : undefined;
    } catch (error) {
      return this.#fail(error);
    }
    void this.#open(config, services, audio);
  }

  /** Ends the conversation (history is kept; `start()` continues it) and releases mic and audio. */
  stop(): void {
    this.#engine?.close();
    this.#engine = undefined;
    this.#pendingText = undefined;
    this.interim = undefined;
    this.#apply({ type: "stop" });
  }

  /** Mutes (`true`), unmutes (`false`) or toggles the visitor's side: utterances and barge-ins are ignored. */
  mute(muted = !this.muted): void {
    this.muted = muted;
    this.#engine?.setMuted(muted);
    this.#host.toggleAttribute("muted", muted);
    this.#host.requestUpdate();
  }

  /** Sends typed text as the visitor's turn; starts a text-only conversation when none is running. */
  sendText(text: string): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    if (!isActive(this.state)) {
      this.#pendingText = trimmed;
      this.start({ voice: false });
    } else if (this.state.kind === "initializing" || this.state.kind === "reconnecting" || !this.#engine) {
      this.#pendingText = trimmed;
    } else this.#engine.sendText(trimmed);
  }

  /** Everything stored locally, as JSON-ready data. */
  exportHistory(): Promise<HistoryExport> {
    return this.log.exportAll();
  }

  /**
   * "Forget me": ends the conversation, asks the relay to delete this visitor's records, and wipes local
   * history (also when the relay cannot be reached; then rejects with that error after wiping).
   */
  async forget(): Promise<void> {
    this.stop();
    let failure: WidgetError | undefined;
    const config = this.#configOrUndefined();
    if (config) {
      try {
        const transport = await this.#services().transport(config.relayUrl);
        const context = config.context ? { context: config.context } : {};
        await transport.openSession({ agent: config.agent, visitorId: await this.log.visitorId(), ...context });
        await transport.forgetVisitor();
      } catch (error) {
        failure = WidgetError.from(error);
      }
    }
    await this.log.clear();
    this.notice = "forgotten";
    this.#host.requestUpdate();
    if (failure) {
      this.#emit("va-error", { code: failure.code, message: failure.message, fatal: false });
      throw failure;
    }
  }

  async #open(config: ResolvedConfig, services: VoiceAgentServices, audio: AudioPort | Promise<AudioPort> | undefined): Promise<void> {
    let engine: Conversation;
    try {
      const [conversation, transport] = await Promise.all([loadConversation(config.mode), services.transport(config.relayUrl)]);
      if (this.state.kind !== "initializing") return void (await audio)?.close();
      engine = this.#engine = conversation(this.#engineHost, config, transport);
    } catch (error) {
      void Promise.resolve(audio).then(
        (a) => a?.close(),
        () => {},
      );
      return this.#fail(error);
    }
    await engine.open(audio, agentKey(config), this.#pendingText === undefined);
  }

  readonly #engineHost: ConversationHost = this.#makeEngineHost();

  #makeEngineHost(): ConversationHost {
    const controller = this;
    return {
      get state() {
        return controller.state;
      },
      get log() {
        return controller.log;
      },
      get muted() {
        return controller.muted;
      },
      apply: (event: ConversationEvent) => this.#apply(event),
      level: (db: number) => this.#onLevel(db),
      fail: (error: unknown) => this.#fail(error),
      emit: (name, detail) => this.#emit(name, detail),
      setInterim: (interim: InterimText | undefined) => {
        this.interim = interim;
        if (interim) this.#emit("va-interim", interim);
        this.#host.requestUpdate();
      },
      setWorking: (tool: string | undefined) => {
        if (this.working === tool) return;
        this.working = tool;
        this.#host.requestUpdate();
      },
      setSession: (session: CreateSessionResponse) => {
        this.session = session;
        this.#host.requestUpdate();
      },
      idle: () => {
        const text = this.#pendingText;
        if (text === undefined || this.state.kind !== "listening" || !this.#engine) return;
        this.#pendingText = undefined;
        this.#engine.sendText(text);
      },
    };
  }

  #onOffline = (): void => {
    if (isActive(this.state) && this.state.kind !== "initializing") void this.#engine?.reconnect();
  };

  #fail(error: unknown): void {
    const failure = WidgetError.from(error);
    const { code, retryAfterMs } = failure;
    let { message } = failure;
    // Audio that never started after a start() without a gesture: tell the page what to change.
    if (code === "audio" && this.state.kind === "initializing" && this.#noGesture) {
      message += " start() was called without a user gesture: call it from a click or key press handler.";
    }
    this.#engine?.close("error", failure);
    this.#engine = undefined;
    this.interim = undefined;
    if (this.#apply({ type: "fail", code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })) {
      this.#emit("va-error", { code, message, fatal: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    }
  }

  #emit<K extends keyof VoiceAgentEventMap>(name: K, detail: VoiceAgentEventMap[K]): void {
    emit(this.#host, name, detail);
  }

  #configOrUndefined(): ResolvedConfig | undefined {
    try {
      return this.#resolve();
    } catch {
      return undefined;
    }
  }

  /** Applies `event`; returns whether the state changed. */
  #apply(event: ConversationEvent): boolean {
    const next = transition(this.state, event);
    if (next === this.state) return false;
    this.state = next;
    // Working is a part of thinking or responding: any other state ends it.
    if (next.kind !== "thinking" && next.kind !== "responding") this.working = undefined;
    this.#engine?.report({ type: "state", state: next.kind });
    this.#host.dataset.state = next.kind;
    this.#emit("va-state", next);
    this.#host.requestUpdate();
    return true;
  }
}

/** Conversations are kept per relay and agent. */
function agentKey(config: ResolvedConfig): string {
  return `${config.relayUrl} ${config.agent}`;
}
