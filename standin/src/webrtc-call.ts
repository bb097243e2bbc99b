/**
 * One realtime call over WebRTC: the WebSocket's state machine ({@link RealtimeCall}) with WebRTC's
 * transport. Its events go on the `oai-events` data channel and to every sideband socket, except the audio
 * deltas: their speech is paced out as Opus RTP, framed by `output_audio_buffer.started` / `.stopped`. The
 * caller's track is the input audio (decoded, 48 → 24 kHz, into the server VAD). `output_audio_buffer.clear`
 * (answered `output_audio_buffer.cleared`), `response.cancel` and a VAD barge-in stop the audio at once, and
 * the audio sent of each response is recorded for tests.
 */
import { AudioPacer } from "./audio-pacer.ts";
import type { Fault } from "./fault-injector.ts";
import { MicStream } from "./mic-stream.ts";
import { RealtimeCall, type Speak } from "./realtime-call.ts";
import type { RecordedAudioEnd, RecordedCallEnd, RecordedRealtimeCall } from "./recorded-request.ts";
import { WebRtcPeer } from "./webrtc-peer.ts";

type Event = Record<string, unknown> & { type?: unknown };

/** Where a call's server events go besides the data channel: a sideband socket. */
export interface EventSink {
  send(text: string): void;
  close(): void;
}

export interface WebRtcCallOptions {
  /** e.g. `rtc_standin_1`. */
  callId: string;
  model: string;
  /** The `session` of the request or of the client secret, applied before `session.created`. */
  session: Record<string, unknown> | undefined;
  speak: Speak;
  record: RecordedRealtimeCall;
  fault: () => Fault | undefined;
  /** Clock for `endedAt`, ms since the Unix epoch. */
  now: () => number;
  /** The call ended (called once). */
  ended: () => void;
}

export class WebRtcCall {
  readonly callId: string;
  readonly #o: WebRtcCallOptions;
  readonly #peer: WebRtcPeer;
  readonly #pacer: AudioPacer;
  readonly #call: RealtimeCall;
  readonly #sinks = new Set<EventSink>();
  readonly #mic = new MicStream();
  /** Responses between `response.created` and `response.done`, with events held until their `response.done`. */
  readonly #generating = new Map<string, Event[]>();
  /** Responses whose audio stopped: later deltas of theirs are dropped (a cleared response says no more). */
  readonly #stoppedAudio = new Set<string>();
  #lastAudio: string | undefined;
  #ended = false;

  constructor(options: WebRtcCallOptions) {
    this.callId = options.callId;
    this.#o = options;
    const record = options.record;
    record.responses = [];
    record.micAudioMs = 0;
    record.sidebands = 0;
    this.#peer = new WebRtcPeer({
      mic: (pcm) => this.#hear(pcm),
      message: (text) => this.receive(text),
      closed: () => this.hangup("peer"),
    });
    this.#pacer = new AudioPacer({
      send: (frame) => this.#peer.sendFrame(frame),
      started: (responseId) => this.#emit({ type: "output_audio_buffer.started", response_id: responseId }),
      drained: (responseId, sentMs) => this.#stopped([{ responseId, sentMs }], "done"),
    });
    this.#call = new RealtimeCall({
      model: options.model,
      session: options.session,
      send: (event) => this.#server(event),
      drop: () => this.hangup("fault"),
      speak: options.speak,
      record,
      fault: options.fault,
    });
  }

  /** Answers the caller's SDP offer. */
  answer(offer: string): Promise<string> {
    return this.#peer.answer(offer);
  }

  /** Adds a sideband socket: it gets every server event from now on. Returns its detach. */
  attach(sink: EventSink): () => void {
    if (this.#ended) {
      sink.close();
      return () => {};
    }
    this.#sinks.add(sink);
    this.#o.record.sidebands!++;
    return () => this.#sinks.delete(sink);
  }

  /** Handles one client event's text, from the data channel or a sideband. */
  receive(text: string): void {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      event = undefined;
    }
    if (typeof event !== "object" || event === null || Array.isArray(event))
      return this.#emit({
        type: "error",
        error: { type: "invalid_request_error", code: "invalid_json", message: "Expected a JSON event." },
      });
    const client = event as Event;
    if (client.type === "output_audio_buffer.clear") {
      this.#o.record.events.push(client.type);
      const cut = this.#pacer.cut();
      this.#record(cut, "cleared");
      return this.#emit({ type: "output_audio_buffer.cleared", response_id: cut[0]?.responseId ?? this.#lastAudio });
    }
    this.#call.receive(client);
    if (client.type === "response.cancel") this.#stopped(this.#pacer.cut(), "cancelled");
  }

  /** Ends the call (idempotent): audio, data channel, sidebands and the peer connection; `by` is recorded (`endedBy`). */
  hangup(by: RecordedCallEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#record(this.#pacer.cut(), "hangup");
    this.#pacer.close();
    this.#call.close();
    this.#peer.close();
    for (const sink of this.#sinks) sink.close();
    this.#sinks.clear();
    this.#o.record.endedAt = this.#o.now();
    this.#o.record.endedBy = by;
    this.#o.ended();
  }

  /** A server event of the state machine: audio to the pacer, the rest to the channel and sidebands. */
  #server(event: Event): void {
    const responseId = String(event.response_id ?? (event.response as { id?: string } | undefined)?.id);
    switch (event.type) {
      case "response.output_audio.delta": {
        if (this.#stoppedAudio.has(responseId)) return;
        const bytes = Buffer.from(String(event.delta), "base64");
        this.#lastAudio = responseId;
        return this.#pacer.push(
          responseId,
          new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1))),
        );
      }
      case "response.output_audio.done":
        this.#pacer.end(responseId);
        break;
      case "response.created":
        this.#generating.set(responseId, []);
        break;
      case "input_audio_buffer.speech_started": {
        this.#emit(event);
        const cut = this.#pacer.cut();
        this.#record(cut, "interrupted");
        const heard = cut.find((stopped) => stopped.sentMs > 0);
        if (heard) this.#emit({ type: "output_audio_buffer.cleared", response_id: heard.responseId });
        return;
      }
      case "response.done": {
        // A response cancelled by the state machine itself (a newer response) stops its audio too.
        if ((event.response as { status?: string }).status !== "completed") this.#stopped(this.#pacer.cut(responseId), "cancelled");
        const held = this.#generating.get(responseId) ?? [];
        this.#generating.delete(responseId);
        this.#emit(event);
        for (const later of held) this.#emit(later);
        return;
      }
    }
    this.#emit(event);
  }

  /** Records the stopped audio and says `output_audio_buffer.stopped`, after the response's `response.done`. */
  #stopped(cut: { responseId: string; sentMs: number }[], end: RecordedAudioEnd): void {
    this.#record(cut, end);
    // Only audio that `output_audio_buffer.started` announced is said to stop.
    for (const { responseId } of cut.filter((stopped) => stopped.sentMs > 0)) {
      const event = { type: "output_audio_buffer.stopped", response_id: responseId };
      const held = this.#generating.get(responseId);
      if (held) held.push(event);
      else this.#emit(event);
    }
  }

  #record(cut: { responseId: string; sentMs: number }[], end: RecordedAudioEnd): void {
    for (const { responseId, sentMs } of cut) {
      this.#stoppedAudio.add(responseId);
      this.#o.record.responses!.push({ responseId, sentAudioMs: sentMs, end });
    }
  }

  /** The caller's audio (48 kHz), to the state machine's input buffer and server VAD. */
  #hear(pcm: Int16Array): void {
    const chunks = this.#mic.process(pcm);
    this.#o.record.micAudioMs = this.#mic.receivedMs;
    if (chunks.length > 0 && !this.#ended) this.#call.appendAudio(chunks);
  }

  #emit(event: Event): void {
    if (this.#ended) return;
    const text = JSON.stringify(event.event_id ? event : { event_id: `event_rtc_${crypto.randomUUID()}`, ...event });
    this.#peer.send(text);
    for (const sink of this.#sinks) sink.send(text);
  }
}
