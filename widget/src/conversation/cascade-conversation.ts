/**
 * The cascade conversation of one started session: greeting, turns (utterance or text → transcript →
 * streamed reply → speech sentence by sentence), speculation, client tools and barge-in truncation, on
 * the relay session {@link SessionConversation} keeps: the {@link Conversation} of modes `cascade` and
 * `text` (without audio). Loaded lazily on the first start; state changes go through its host.
 */
import { STT_SAMPLE_RATE } from "@voice-agent/relay/protocol";
import type { Utterance } from "../audio/audio-engine.ts";
import type { ResolvedConfig } from "../config.ts";
import { encodeWav } from "@voice-agent/dsp";
import { randomId } from "../random-id.ts";
import { recoverable } from "../relay-error-codes.ts";
import { WidgetError } from "../widget-error.ts";
import type { AudioEngineEvents } from "./audio-port.ts";
import type { ConversationHost } from "./conversation.ts";
import { heardText } from "./heard-text.ts";
import { ReplySpeaker } from "./reply-speaker.ts";
import { streamReply, type ActiveReply } from "./reply-stream.ts";
import { SessionConversation } from "./session-conversation.ts";
import { Buffered } from "./buffered.ts";
import { Speculations, type Speculation, type SpeculativeStages } from "./speculation.ts";
import type { ChatDelta, Transport } from "./transport.ts";
import { turnLatencyReport } from "./turn-latency.ts";

/** One started cascade conversation (see `Conversation`). */
export class CascadeConversation extends SessionConversation {
  #reply: ActiveReply | undefined;
  #replyId = 0;
  readonly #speculations: Speculations;

  constructor(host: ConversationHost, config: ResolvedConfig, transport: Transport) {
    super(host, config, transport, "cascade");
    this.#speculations = new Speculations(this.#speculativeStages, this.abort.signal);
  }

  /** The visitor's typed text: interrupts a reply in progress, then takes the turn. */
  sendText(text: string): void {
    const kind = this.host.state.kind;
    if (kind === "thinking" || kind === "responding") this.interrupt(undefined, true);
    void this.#turn({ text });
  }

  /** A finished utterance from the audio engine. */
  #utterance(utterance: Utterance): void {
    const speculation = this.#speculations.take(utterance);
    const kind = this.host.state.kind;
    // Spoken over a reply without a barge-in report: the visitor still takes the turn.
    if (kind === "thinking" || kind === "responding") this.interrupt(undefined, true);
    if (this.host.state.kind === "listening" || this.host.state.kind === "interrupted") void this.#turn({ utterance, speculation });
  }

  /**
   * The visitor paused while listening: their speech so far goes to transcription now (marked speculative:
   * the relay holds its transcript until the turn's chat request), in case the turn ends here. Off when
   * the agent says so.
   */
  #pause(utterance: Utterance): void {
    this.#speculations.drop();
    if (this.host.state.kind === "listening" && this.relay?.session?.agent.speculation) this.#speculations.begin(utterance, randomId());
  }

  /** The audio engine's barge-in report: ignored unless it is about the current reply. */
  #bargeIn(replyId: number, playedMs: number | undefined): void {
    if (this.#reply?.replyId === replyId) this.interrupt(playedMs, true);
  }

  /**
   * Barge-in: aborts the reply's LLM and TTS requests, keeps what was heard (`playedMs` from the
   * playback clock; the player's last report when not given), stores the reply as interrupted.
   * Who silences the reply: on a confirmed barge-in the audio loop has already stopped playback itself
   * (no wait for the main thread; `playedMs` comes with its report); every other end of a reply (typed
   * text over it, Stop, a reconnect, an utterance without a barge-in report) is stopped here.
   */
  interrupt(playedMs: number | undefined, toInterrupted: boolean): void {
    const reply = this.#reply;
    if (!reply) return;
    this.#reply = undefined;
    reply.abort.abort();
    playedMs = this.playedOf(reply.replyId, playedMs);
    this.host.setInterim(undefined);
    const message = reply.message;
    // Without speech (text mode) the visitor has read everything that was shown.
    const heard = reply.speaker ? heardText(reply.speaker.segments, playedMs) : message.text;
    if (message.text) {
      if (reply.speaker) message.audioMs = reply.speaker.audioMs;
      this.keepHeard(message, reply.replyId, playedMs, heard, toInterrupted);
      if (reply.recordId) {
        this.report({
          type: "interruption",
          messageId: reply.recordId,
          turnId: reply.turnId,
          heardText: heard,
          playedMs: Math.round(playedMs),
        });
        void this.reporter.flush();
      }
    }
    if (toInterrupted) this.holdInterrupted();
  }

  protected async greet(greeting: string, speak: boolean): Promise<void> {
    const reply = this.#beginReply(undefined);
    if (!speak) reply.speaker = undefined;
    reply.message.text = greeting;
    // Recorded by the relay as the session's greeting, so that an interruption of it can name it.
    reply.recordId = this.relay?.session?.greetingId;
    this.report({ type: "greeting" });
    this.host.apply({ type: "reply-start" });
    try {
      reply.speaker?.say(greeting); // while it is stored: a first IndexedDB write can take seconds
      await this.host.log.save(reply.message);
      this.host.emit("va-transcript", { role: "assistant", text: greeting, final: true, messageId: reply.message.id });
      await this.#finishSpeech(reply);
      this.#endReply(reply);
    } catch (error) {
      this.#turnFailed(error, reply.abort.signal);
    }
  }

  /**
   * One turn of the visitor; `retried` when it is sent again after a network drop (once at most). A
   * `speculation` made on the utterance gives its transcript (and turn id) when it succeeded.
   */
  async #turn(input: { utterance: Utterance; speculation?: Speculation } | { text: string }, retried = false): Promise<void> {
    this.clearHold();
    this.host.apply({ type: "user-turn" });
    const started = performance.now();
    const speculation = "utterance" in input ? input.speculation : undefined;
    const reply = this.#beginReply(speculation?.turnId ?? randomId());
    const { signal } = reply.abort;
    if (speculation) signal.addEventListener("abort", () => speculation.abort.abort(), { once: true });
    const user = this.host.log.draft({ role: "user", text: "", utteranceId: reply.message.utteranceId!, ...this.sessionId() });
    try {
      if ("text" in input) user.text = input.text;
      else {
        const { audio, startMs, endMs } = input.utterance;
        const interim = (text: string) => this.host.setInterim({ role: "user", text });
        const transcript =
          (await speculation?.transcript) ??
          (await this.transport.transcribe(encodeWav(audio, STT_SAMPLE_RATE), { turnId: reply.turnId, signal }, interim, this.#language()));
        signal.throwIfAborted();
        Object.assign(user, {
          text: transcript.text.trim(),
          startMs,
          endMs,
          audioMs: endMs - startMs,
          latency: { sttMs: performance.now() - started },
        });
        if (transcript.confidence !== undefined) user.confidence = transcript.confidence;
      }
      this.host.setInterim(undefined);
      if (!user.text) return this.#endReply(reply);
      await this.host.log.save(user);
      this.host.emit("va-transcript", { role: "user", text: user.text, final: true, messageId: user.id });
    } catch (error) {
      // Nothing of the turn is kept yet: once reconnected, the same utterance or text goes again.
      const again = "text" in input ? input : { utterance: input.utterance };
      return this.#turnFailed(error, signal, retried ? undefined : () => this.#turn(again, true));
    }
    await this.#answer(reply, user.latency?.sttMs, started, retried, speculation && this.#commit(speculation));
  }

  /**
   * The reply the speculation asked for, when it answers the turn as it now stands (same context): the
   * relay is told to record the turn's held requests. Otherwise it is aborted (the relay drops it).
   */
  #commit(speculation: Speculation): AsyncIterable<ChatDelta> | undefined {
    const { reply, turnId } = speculation;
    if (!reply) return undefined;
    if (JSON.stringify(reply.messages) !== JSON.stringify(this.host.log.context(this.config.contextTurns))) {
      speculation.abort.abort();
      return undefined;
    }
    this.report({ type: "turn-committed", turnId });
    void this.reporter.flush();
    return reply.deltas;
  }

  /**
   * Streams and speaks the reply to the visitor's turn, which is the latest message of the history;
   * `prefetched`: its first round, already asked for (a speculation's).
   */
  async #answer(
    reply: ActiveReply,
    sttMs: number | undefined,
    started: number,
    retried: boolean,
    prefetched?: AsyncIterable<ChatDelta>,
  ): Promise<void> {
    const { signal } = reply.abort;
    try {
      const maxToolRounds = this.relay?.session?.agent.maxToolRounds ?? 3;
      const context = { host: this.host, transport: this.transport, config: this.config, maxToolRounds };
      const metrics = await streamReply(reply, context, prefetched);
      metrics.sttMs = sttMs;
      await this.#finishSpeech(reply);
      metrics.ttsFirstByteMs = reply.speaker?.ttsFirstByteMs;
      if (reply.speaker?.firstAudioAt !== undefined) metrics.turnMs = reply.speaker.firstAudioAt - started;
      metrics.totalMs = performance.now() - started;
      if (this.audio?.loopPath) metrics.audioLoop = this.audio.loopPath;
      if (!signal.aborted) {
        this.host.emit("va-metrics", metrics);
        this.report(turnLatencyReport(reply, metrics));
      }
      this.#endReply(reply);
    } catch (error) {
      // Asked again once reconnected only if none of the reply arrived; a started reply is kept as it is.
      const again = reply.message.text === "" && !retried ? () => this.#retryAnswer(reply.message.utteranceId!) : undefined;
      this.#turnFailed(error, signal, again);
    }
  }

  #retryAnswer(utteranceId: string): Promise<void> {
    this.clearHold();
    this.host.apply({ type: "user-turn" });
    return this.#answer(this.#beginReply(utteranceId), undefined, performance.now(), true);
  }

  /** Waits for the reply's speech to play out and records its audio length and timings. */
  async #finishSpeech(reply: ActiveReply): Promise<void> {
    const speaker = reply.speaker;
    if (!speaker || speaker.segments.length === 0 || reply.abort.signal.aborted) return;
    const report = await speaker.finish();
    if (reply.abort.signal.aborted) return;
    reply.message.audioMs = speaker.audioMs;
    reply.message.latency = { ...reply.message.latency, ttsFirstByteMs: speaker.ttsFirstByteMs };
    if (reply.message.text) await this.host.log.save(reply.message);
    this.host.emit("va-playback", report);
  }

  #beginReply(utteranceId: string | undefined): ActiveReply {
    const abort = new AbortController();
    this.abort.signal.addEventListener("abort", () => abort.abort(), { once: true });
    const replyId = ++this.#replyId;
    const player = this.audio?.player;
    const turnId = utteranceId ?? randomId();
    const speaker = player ? new ReplySpeaker({ transport: this.transport, player, replyId, turnId, signal: abort.signal }) : undefined;
    const message = this.host.log.draft({ role: "assistant", text: "", ...(utteranceId ? { utteranceId } : {}), ...this.sessionId() });
    this.#reply = { replyId, turnId, message, speaker, abort };
    return this.#reply;
  }

  #endReply(reply: ActiveReply): void {
    if (this.#reply !== reply) return;
    this.#reply = undefined;
    this.host.apply({ type: "reply-done" });
    void this.reporter.flush();
    this.host.idle();
  }

  /** Recoverable failures reconnect, then `again` re-sends what was lost unless another turn began. */
  #turnFailed(error: unknown, signal: AbortSignal, again?: () => Promise<void>): void {
    // An aborted reply (barge-in, stop) is not a failure.
    if (signal.aborted) return;
    const e = WidgetError.from(error);
    if (!recoverable(e)) return this.host.fail(e);
    void this.reconnect().then((back) => {
      if (back && again && !this.#reply && this.host.state.kind === "listening") void again();
    });
  }

  /** The transcription's language hint: the element's `lang`, as ISO 639-1. */
  #language(): string | undefined {
    return this.config.lang?.split("-")[0]?.toLowerCase();
  }

  /** The requests of a speculation: a transcription, then the reply to it while still listening. */
  readonly #speculativeStages: SpeculativeStages = {
    transcribe: (utterance, turnId, signal) =>
      this.transport.transcribe(
        encodeWav(utterance.audio, STT_SAMPLE_RATE),
        { turnId, signal, speculative: true },
        undefined,
        this.#language(),
      ),
    answer: (transcript, turnId, signal) => {
      const text = transcript.text.trim();
      if (!text || this.host.state.kind !== "listening") return undefined;
      const next = this.host.log.draft({ role: "user", text, utteranceId: turnId });
      const messages = this.host.log.context(this.config.contextTurns, next);
      const deltas = new Buffered(() => this.transport.chat(messages, { turnId, signal, speculative: true }));
      deltas.start();
      return { messages, deltas };
    },
  };

  /** What the audio engine reports; the visitor's speech counts only while not muted. */
  protected readonly audioEvents: AudioEngineEvents = {
    speechStart: () => {},
    level: (db) => this.host.level(db),
    bargeIn: ({ replyId, playedMs }) => {
      if (!this.host.muted) this.#bargeIn(replyId, playedMs);
    },
    utterance: (utterance) => {
      if (!this.host.muted) this.#utterance(utterance);
    },
    pause: (utterance) => {
      if (!this.host.muted) this.#pause(utterance);
    },
    resume: () => this.#speculations.drop(),
    error: (error) => this.host.fail(error),
  };
}
