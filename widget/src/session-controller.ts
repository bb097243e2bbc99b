/**
 * Drives one conversation for the element: relay session, audio engine, and the cascade turn
 * (utterance → transcription → streamed reply text → streamed speech → played). All state changes go
 * through {@link transition}; DOM events are emitted from here only.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ChatMessage, CreateSessionResponse } from "@voice-agent/relay/protocol";
import { STT_SAMPLE_RATE } from "@voice-agent/relay/protocol";
import { AudioEngine, type Utterance } from "./audio/audio-engine.ts";
import { encodeWav } from "./dsp/wav.ts";
import { emit, type TranscriptLine } from "./events.ts";
import type { ResolvedConfig } from "./config.ts";
import { RelayClient } from "./relay-client.ts";
import { transition, type ConversationEvent, type ConversationState } from "./state.ts";
import { WidgetError } from "./widget-error.ts";

/** One conversation's controller; the element reads `state`, `lines` and `session` to render. */
export class SessionController implements ReactiveController {
  state: ConversationState = { kind: "idle" };
  lines: TranscriptLine[] = [];
  session: CreateSessionResponse | undefined;
  #host: ReactiveControllerHost & HTMLElement;
  #resolve: () => ResolvedConfig;
  #engine: AudioEngine | undefined;
  #client: RelayClient | undefined;
  #history: ChatMessage[] = [];
  #abort = new AbortController();
  #replyId = 0;

  constructor(host: ReactiveControllerHost & HTMLElement, resolve: () => ResolvedConfig) {
    this.#host = host;
    this.#resolve = resolve;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** Starts a conversation. Call from a user gesture: the AudioContext is created synchronously. */
  start(): void {
    if (!this.#apply({ type: "start" })) return;
    this.#abort = new AbortController();
    try {
      const config = this.#resolve();
      this.#client = new RelayClient(config.relayUrl);
      this.#engine = new AudioEngine(
        { assetBase: config.assetBase, turn: config.turn },
        {
          speechStart: () => {},
          bargeIn: () => {},
          utterance: (u) => void this.#turn(u),
          error: (e) => this.#fail(e),
        },
      );
      void this.#open(config, this.#client, this.#engine);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Ends the conversation and releases the mic and audio. */
  stop(): void {
    this.#abort.abort();
    this.#engine?.close();
    this.#engine = undefined;
    this.#apply({ type: "stop" });
  }

  async #open(config: ResolvedConfig, client: RelayClient, engine: AudioEngine): Promise<void> {
    try {
      const [session] = await Promise.all([client.createSession(config.agent), engine.start()]);
      this.session = session;
      if (this.lines.length === 0 && session.agent.greeting) this.#line("assistant", session.agent.greeting, true);
      this.#apply({ type: "ready" });
    } catch (error) {
      this.#fail(error);
    }
  }

  async #turn(utterance: Utterance): Promise<void> {
    const client = this.#client;
    const player = this.#engine?.player;
    if (this.state.kind !== "listening" || !client || !player) return;
    this.#apply({ type: "user-turn" });
    const signal = this.#abort.signal;
    try {
      const text = (await client.transcribe(encodeWav(utterance.audio, STT_SAMPLE_RATE), signal)).trim();
      if (!text) return void this.#apply({ type: "reply-done" });
      this.#line("user", text, true);
      this.#history.push({ role: "user", content: text });
      const reply = this.#line("assistant", "", false);
      for await (const delta of client.chat(this.#history, signal)) {
        if (!reply.text) this.#apply({ type: "reply-start" });
        reply.text += delta;
        this.#host.requestUpdate();
      }
      reply.final = true;
      emit(this.#host, "va-transcript", { ...reply });
      this.#history.push({ role: "assistant", content: reply.text });
      if (reply.text) {
        const id = ++this.#replyId;
        for await (const pcm of client.speech(reply.text, signal)) player.enqueue(id, pcm);
        emit(this.#host, "va-playback", await player.end(id));
      }
      this.#apply({ type: "reply-done" });
    } catch (error) {
      if (!signal.aborted) this.#fail(error);
    }
  }

  #line(role: TranscriptLine["role"], text: string, final: boolean): TranscriptLine {
    const line: TranscriptLine = { role, text, final };
    this.lines = [...this.lines, line];
    if (final) emit(this.#host, "va-transcript", { ...line });
    this.#host.requestUpdate();
    return line;
  }

  #fail(error: unknown): void {
    const { code, message } = WidgetError.from(error);
    this.#abort.abort();
    this.#engine?.close();
    this.#engine = undefined;
    if (this.#apply({ type: "fail", code, message })) emit(this.#host, "va-error", { code, message });
  }

  /** Applies `event`; returns whether the state changed. */
  #apply(event: ConversationEvent): boolean {
    const next = transition(this.state, event);
    if (next === this.state) return false;
    this.state = next;
    this.#host.dataset.state = next.kind;
    emit(this.#host, "va-state", next);
    this.#host.requestUpdate();
    return true;
  }
}
