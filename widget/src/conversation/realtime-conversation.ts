/**
 * The realtime (speech-to-speech) conversation: one call through the relay's realtime WebSocket, OpenAI
 * Realtime events both ways, with the widget's own audio engine on both ends. Who ends the visitor's
 * turns is the agent's choice (`realtimeTurns`): `local`, the widget (its VAD and end of turn, as in the
 * cascade: the utterance goes as `input_audio_buffer.append` + `commit` + `response.create`), or
 * `provider`, whose turn detection hears the mic streamed as it is captured and answers on its own.
 * The reply's audio deltas go to the playback worklet; a barge-in (always the widget's) silences it locally and sends
 * `response.cancel` and `conversation.item.truncate` with the ms the visitor heard, so that the model's
 * memory of its reply ends where the visitor stopped hearing it. Loaded lazily for `mode="realtime"`.
 *
 * With `transport="webrtc"` the same events go on a WebRTC call's data channel, and the audio on its tracks:
 * the mic is sent as it is (no `input_audio_buffer.append`), the reply plays between
 * `output_audio_buffer.started` and `.stopped`, the barge-in detector's hold mutes it at once, and the
 * heard ms come from the reply track's playout (`RealtimeMediaChannel.heardMs`).
 */
import type { Utterance } from "../audio/audio-engine.ts";
import type { ResolvedConfig } from "../config.ts";
import type { StoredMessage } from "../history/history-store.ts";
import { randomId } from "../random-id.ts";
import { WidgetError } from "../widget-error.ts";
import type { AudioEngineEvents } from "./audio-port.ts";
import type { CallReports, ResponseUsage } from "./call-reports.ts";
import type { ConversationHost } from "./conversation.ts";
import { heardText } from "./heard-text.ts";
import { appendChunks, AudioUplink, fromBase64, REALTIME_RATE } from "./realtime-audio.ts";
import { audioItem, heardItem, relayFailure, setItemText, type Reply } from "./realtime-reply.ts";
import type { RemoteReply } from "./remote-reply.ts";
import { SessionConversation } from "./session-conversation.ts";
import { runTool } from "./tool-runner.ts";
import type { RealtimeChannel, RealtimeEvent, RealtimeHandlers, Transport } from "./transport.ts";
import { REALTIME_HISTORY_ITEM_PREFIX, REALTIME_TOOL_EVENT } from "@voice-agent/relay/protocol";

export class RealtimeConversation extends SessionConversation {
  #channel: RealtimeChannel | undefined;
  /** A WebRTC call's (`transport="webrtc"`) replies, which play on its remote track. */
  #remote: RemoteReply | undefined;
  /** The voice's speed, from the session the provider confirms (a cut WebRTC reply's pace scales with it). */
  #speed = 1;
  /** The provider detects the visitor's turns (the agent's `realtimeTurns`). */
  #providerTurns = false;
  #reply: Reply | undefined;
  #replyId = 0;
  /** The visitor's message of the turn, until its transcript arrives. */
  #heard: StoredMessage | undefined;
  /** With the provider's turn detection: the mic's audio on its way up. */
  #uplink: AudioUplink | undefined;
  /** Responses asked for, then interrupted before `response.created` named them: their creation is ignored. */
  #unnamed = 0;
  /** A call the relay does not see (WebRTC with an ephemeral key): the widget reports its messages to the records. */
  #reports: CallReports | undefined;

  constructor(host: ConversationHost, config: ResolvedConfig, transport: Transport) {
    super(host, config, transport, "realtime");
  }

  /** The greeting is shown, not spoken: the agent's instructions decide what the model says. */
  protected async greet(greeting: string): Promise<void> {
    const message = this.host.log.draft({ role: "assistant", text: greeting, ...this.sessionId() });
    await this.host.log.save(message);
    this.report({ type: "greeting" });
    this.host.emit("va-transcript", { role: "assistant", text: greeting, final: true, messageId: message.id });
    this.host.apply({ type: "ready" });
  }

  sendText(text: string): void {
    const kind = this.host.state.kind;
    if (kind === "thinking" || kind === "responding") this.interrupt(undefined, true);
    const turnId = this.#beginTurn(text);
    this.#channel?.send({
      type: "conversation.item.create",
      item: { type: "message", role: "user", content: [{ type: "input_text", text }] },
    });
    this.#respond(turnId, performance.now());
  }

  interrupt(playedMs: number | undefined, toInterrupted: boolean): void {
    const reply = this.#reply;
    if (!reply) return;
    this.#reply = undefined;
    if (reply.responseId === undefined) this.#unnamed++;
    const channel = this.#channel;
    const remote = this.#remote;
    // Over WebRTC: what was heard when the hold muted it, else now (typed text over the reply, Stop, a reconnect).
    const heard = remote ? remote.cut(reply.replyId) : this.playedOf(reply.replyId, playedMs);
    channel?.send({ type: "response.cancel" });
    if (remote) channel?.send({ type: "output_audio_buffer.clear" });
    this.host.setInterim(undefined);
    if (typeof heard === "number") this.#cut(reply, heard, toInterrupted, channel);
    else void heard.then((ms) => this.#cut(reply, ms, toInterrupted, channel));
    if (toInterrupted) this.holdInterrupted();
  }

  /** Tells the provider and the history where the visitor stopped hearing `reply`: `playedMs` into its audio. */
  #cut(reply: Reply, playedMs: number, toInterrupted: boolean, channel: RealtimeChannel | undefined): void {
    // The item being heard is cut where the visitor stopped hearing it (the ones before it were heard whole).
    const heard = heardItem(reply.audio, playedMs);
    if (heard)
      channel?.send({ type: "conversation.item.truncate", item_id: heard.id, content_index: 0, audio_end_ms: Math.round(heard.ms) });
    const { message } = reply;
    if (!message.text) return;
    const audioMs = this.#remote ? this.#remote.audioMs(message.text, playedMs, this.#speed) : reply.audioMs;
    message.audioMs = audioMs;
    this.keepHeard(message, reply.replyId, playedMs, heardText([{ text: message.text, audioMs }], playedMs), toInterrupted);
    this.#reports?.cut(message, playedMs);
  }

  /**
   * Opens the call, gives the model the conversation so far (after a reload or a reconnect) and, when the
   * provider detects the turns, streams the mic to it from then on.
   */
  protected override async openCall(): Promise<void> {
    const turns = this.relay?.session?.agent.realtimeTurns;
    if (!turns)
      throw new WidgetError("config", `Agent "${this.config.agent}" has no realtime mode: the relay's agent needs a realtime section.`);
    const handlers: RealtimeHandlers = {
      event: (event) => this.#event(event),
      // A network drop (a lost WebRTC call too) or a session end reconnects; a call the relay ended on a failure (`upstream_error`) fails as the cascade's turn would.
      closed: (_code, reason) => {
        if (this.abort.signal.aborted) return;
        const failure = relayFailure(reason, `The relay ended the realtime call (${reason}).`);
        if (failure) this.host.fail(failure);
        else void this.reconnect();
      },
    };
    if (this.config.transport === "webrtc") {
      if (!this.transport.openRealtimeCall)
        throw new WidgetError("config", 'transport="webrtc" needs a transport that opens WebRTC calls (the relay client does).');
      const start = this.relay?.session?.agent.realtimeWebrtc ?? "relay";
      // The WebRTC replies' code is loaded with the call (pages on the WebSocket never fetch it), and the
      // reports' code with a call the widget starts itself.
      const [call, { RemoteReply }, reports] = await Promise.all([
        this.transport.openRealtimeCall(handlers, this.audio?.microphoneTrack, start),
        import("./remote-reply.ts"),
        start === "direct" ? import("./call-reports.ts") : undefined,
      ]);
      this.#channel = call;
      this.#remote = new RemoteReply(call, this.audio);
      if (reports) this.#reports ??= new reports.CallReports((report) => this.report(report));
    } else this.#channel = await this.transport.openRealtime(handlers);
    // Stopped while the call was opening: a call left open would go on (over WebRTC, its reply would play).
    if (this.abort.signal.aborted) return this.closeCall();
    // The conversation so far, named as history: the relay's records hold it from the sessions it was said in.
    let n = 0;
    for (const message of this.host.log.context(this.config.contextTurns)) {
      if ((message.role !== "user" && message.role !== "assistant") || typeof message.content !== "string" || !message.content) continue;
      const type = message.role === "user" ? "input_text" : "output_text";
      this.#channel.send({
        type: "conversation.item.create",
        item: {
          id: `${REALTIME_HISTORY_ITEM_PREFIX}${n++}`,
          type: "message",
          role: message.role,
          content: [{ type, text: message.content }],
        },
      });
    }
    this.#providerTurns = turns === "provider";
    // Over WebRTC the mic goes on its track.
    const stream = this.#providerTurns && !this.#remote;
    this.#uplink = stream ? new AudioUplink() : undefined;
    this.audio?.stream(stream);
  }

  protected override closeCall(): void {
    this.audio?.stream(false);
    this.#remote?.stopped();
    this.#uplink = undefined;
    this.#channel?.close();
    this.#channel = this.#remote = undefined;
  }

  /** A finished utterance (local turns): its audio is the turn; the model answers once it is committed. */
  #utterance(utterance: Utterance): void {
    if (!this.#takeTurn()) return;
    const turnId = this.#beginTurn(undefined, utterance);
    // Over WebRTC the provider's input buffer already holds it (the mic's track).
    if (!this.#remote) for (const audio of appendChunks(utterance.audio)) this.#channel?.send({ type: "input_audio_buffer.append", audio });
    this.#channel?.send({ type: "input_audio_buffer.commit" });
    this.#respond(turnId, performance.now());
  }

  /** The provider committed the visitor's audio as a turn (its turn detection): it answers on its own. */
  #providerTurn(): void {
    if (!this.#takeTurn()) return;
    this.#respond(this.#beginTurn(undefined), performance.now(), false);
  }

  /** A new spoken turn cuts the reply in progress; false when the state takes no turn (e.g. reconnecting). */
  #takeTurn(): boolean {
    const kind = this.host.state.kind;
    if (kind === "thinking" || kind === "responding") this.interrupt(undefined, true);
    return this.host.state.kind === "listening" || this.host.state.kind === "interrupted";
  }

  /** The visitor's message of a new turn (typed text, or a transcript to come); returns the turn's id. */
  #beginTurn(text: string | undefined, utterance?: Utterance): string {
    this.clearHold();
    this.host.apply({ type: "user-turn" });
    const turnId = randomId();
    const audio = utterance ? { startMs: utterance.startMs, endMs: utterance.endMs, audioMs: utterance.endMs - utterance.startMs } : {};
    const message = this.host.log.draft({ role: "user", text: text ?? "", utteranceId: turnId, ...audio, ...this.sessionId() });
    // Stored at once, so that it precedes the reply in the history even when its transcript comes later.
    void this.host.log.save(message);
    if (text) {
      this.host.emit("va-transcript", { role: "user", text, final: true, messageId: message.id });
      this.#reports?.said(message);
    } else this.#heard = message;
    return turnId;
  }

  /** The session the provider confirms: its voice's speed. */
  #session(event: RealtimeEvent): void {
    const speed = (event.session as { audio?: { output?: { speed?: unknown } } } | undefined)?.audio?.output?.speed;
    if (typeof speed === "number" && speed > 0) this.#speed = speed;
  }

  /** The reply to turn `turnId`, asked for (`ask`) or coming (the provider answers a turn it committed). */
  #respond(turnId: string, startedAt: number, ask = true): void {
    const replyId = ++this.#replyId;
    const message = this.host.log.draft({ role: "assistant", text: "", utteranceId: turnId, ...this.sessionId() });
    this.#reply = { replyId, turnId, message, audio: [], audioMs: 0, items: [], startedAt, toolCalls: [] };
    if (this.#remote?.audible) {
      const reply = this.#reply;
      reply.played = new Promise((resolve) => (reply.audioStopped = resolve));
    }
    if (ask) this.#channel?.send({ type: "response.create" });
  }

  #event(event: RealtimeEvent): void {
    if (event.type === "session.created" || event.type === "session.updated") return this.#session(event);
    if (event.type === "input_audio_buffer.committed" && this.#providerTurns) return this.#providerTurn();
    if (event.type === "conversation.item.input_audio_transcription.completed")
      return this.#transcript(String(event.transcript ?? "").trim());
    if (event.type === "response.created") return this.#created(String((event.response as { id?: unknown } | undefined)?.id));
    if (event.type === "error") return this.#refused(event.error);
    const reply = this.#reply;
    const responseId = event.type === "response.done" ? (event.response as { id?: unknown } | undefined)?.id : event.response_id;
    if (!reply || reply.responseId === undefined || responseId !== reply.responseId) return;
    switch (event.type) {
      case "response.output_audio.delta": {
        const pcm = fromBase64(String(event.delta ?? ""));
        this.#audioStarted(reply);
        const ms = (pcm.length / REALTIME_RATE) * 1000;
        audioItem(reply, String(event.item_id)).ms += ms;
        reply.audioMs += ms;
        this.audio?.player?.enqueue(reply.replyId, pcm);
        return;
      }
      // Over WebRTC: the reply's audio plays on the call's track from `started` to `stopped`.
      case "output_audio_buffer.started":
        this.#remote?.started(reply.replyId);
        return this.#audioStarted(reply);
      case "output_audio_buffer.stopped":
        this.#remote?.stopped();
        return reply.audioStopped?.();
      case "response.output_audio_transcript.delta":
        // Over WebRTC no audio deltas name the items that speak: their transcripts do.
        if (this.#remote) audioItem(reply, String(event.item_id));
        setItemText(reply, String(event.item_id), (text) => text + String(event.delta ?? ""));
        return this.host.setInterim({ role: "assistant", text: reply.message.text });
      case "response.output_audio_transcript.done":
        return setItemText(reply, String(event.item_id), (text) => String(event.transcript ?? text));
      case REALTIME_TOOL_EVENT:
        // The relay runs one of the agent's server tools for this response (its answer comes in the same response).
        return this.host.setWorking(event.status === "running" ? String(event.name) : undefined);
      case "response.function_call_arguments.done": {
        const name = String(event.name);
        // Over a WebRTC call the relay created, its server tools' calls show here too: the relay runs them.
        if (this.#remote && this.relay?.session?.agent.serverTools?.includes(name)) {
          reply.serverCall = true;
          return this.host.setWorking(name);
        }
        reply.toolCalls.push({ id: String(event.call_id), name, arguments: String(event.arguments ?? "") });
        return;
      }
      case "response.done": {
        const {
          status,
          status_details: details,
          usage,
        } = event.response as {
          status?: string;
          status_details?: { error?: { message?: string; code?: string } };
          usage?: ResponseUsage;
        };
        if (usage) reply.usage = usage;
        if (status === "failed")
          return this.host.fail(
            new WidgetError(
              "upstream",
              `The provider failed the reply: ${details?.error?.message ?? details?.error?.code ?? "no reason given"}.`,
            ),
          );
        // Not interrupted here, yet ended early (e.g. cancelled by the provider's own turn detection): what came plays out.
        if (status !== "completed") {
          reply.toolCalls = [];
          reply.serverCall = false;
        }
        return void this.#finish(reply);
      }
    }
  }

  /** The reply's first audio: the state is `responding` from here. */
  #audioStarted(reply: Reply): void {
    if (reply.firstAudioAt !== undefined) return;
    reply.firstAudioAt = performance.now();
    this.host.apply({ type: "reply-start" });
  }

  /**
   * The relay refused an event (`rate_limited`: dropped, no reply comes) or ends the call on a failure; the
   * provider's own errors (e.g. a cancel with no response left) are not the conversation's end.
   */
  #refused(error: unknown): void {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    const failure = relayFailure(code, String(message ?? code));
    if (failure) this.host.fail(failure);
  }

  /** A response began: it is the current reply's, unless it answers a request interrupted before it was named. */
  #created(responseId: string): void {
    if (this.#unnamed > 0) return void this.#unnamed--;
    if (!this.#reply || this.#reply.responseId !== undefined) return;
    this.#reply.responseId = responseId;
    // A server tool the relay ran over WebRTC is done once the answer's response begins.
    this.host.setWorking(undefined);
    // Before the response's first audio frame, which can race its `output_audio_buffer.started`.
    this.#remote?.created();
  }

  #transcript(text: string): void {
    const message = this.#heard;
    this.#heard = undefined;
    if (!message || !text) return;
    message.text = text;
    void this.host.log.save(message);
    this.host.emit("va-transcript", { role: "user", text, final: true, messageId: message.id });
    this.#reports?.said(message);
  }

  /** The reply's response ended: stores it, runs its client tools (then the model goes on), or waits for it to play out. */
  async #finish(reply: Reply): Promise<void> {
    const { message } = reply;
    this.host.setInterim(undefined);
    if (message.text) {
      if (reply.audioMs) message.audioMs = reply.audioMs;
      await this.host.log.save(message);
      this.host.emit("va-transcript", { role: "assistant", text: message.text, final: true, messageId: message.id });
      this.#reports?.replied(message, reply.usage);
    }
    if (reply.toolCalls.length > 0) {
      for (const call of reply.toolCalls) {
        const { detail, content } = await runTool(this.config.tools, call, this.abort.signal);
        this.host.emit("va-tool-call", detail);
        this.#channel?.send({
          type: "conversation.item.create",
          item: { type: "function_call_output", call_id: call.id, output: content },
        });
      }
      if (this.#reply === reply) this.#respond(reply.turnId, reply.startedAt);
      return;
    }
    // The relay answers its tool's call on the sideband and asks for the model's answer: the next response is this turn's.
    if (reply.serverCall) {
      if (this.#reply === reply) this.#respond(reply.turnId, reply.startedAt, false);
      return;
    }
    // Over WebRTC a spoken reply plays on until `output_audio_buffer.stopped` (after `response.done`).
    const report = reply.played
      ? await (message.text || reply.firstAudioAt !== undefined ? reply.played : undefined)
      : await this.audio?.player?.end(reply.replyId);
    if (this.#reply !== reply) return;
    this.#reply = undefined;
    if (report) this.host.emit("va-playback", report);
    this.host.emit("va-metrics", {
      utteranceId: reply.turnId,
      totalMs: performance.now() - reply.startedAt,
      interrupted: false,
      toolCalls: 0,
      ...(reply.firstAudioAt === undefined ? {} : { turnMs: reply.firstAudioAt - reply.startedAt }),
      ...(this.audio?.loopPath ? { audioLoop: this.audio.loopPath } : {}),
    });
    this.host.apply({ type: "reply-done" });
    void this.reporter.flush();
    this.host.idle();
  }

  /** What the audio engine reports; the visitor's speech counts only while not muted. */
  protected readonly audioEvents: AudioEngineEvents = {
    speechStart: () => {},
    level: (db) => this.host.level(db),
    bargeIn: ({ replyId, playedMs }) => {
      if (!this.host.muted && this.#reply?.replyId === replyId) this.interrupt(playedMs, true);
    },
    // Over WebRTC: the detector's hold mutes the reply at once (and notes what was heard), its release restores it.
    hold: (replyId, held) => {
      if (this.#reply?.replyId === replyId) this.#remote?.hold(replyId, held);
    },
    utterance: (utterance) => {
      if (!this.host.muted && !this.#providerTurns) this.#utterance(utterance);
    },
    audio: (samples) => {
      if (!this.host.muted && this.#uplink) this.#channel?.send({ type: "input_audio_buffer.append", audio: this.#uplink.encode(samples) });
    },
    pause: () => {},
    resume: () => {},
    error: (error) => this.host.fail(error),
  };
}
