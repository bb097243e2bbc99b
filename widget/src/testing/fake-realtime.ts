/**
 * A scripted realtime call for element tests: what the relay's realtime WebSocket would answer, or, for a
 * WebRTC call, its data channel (no audio deltas: `output_audio_buffer.started` / `.stopped` frame the reply).
 */
import type { RealtimeChannel, RealtimeEvent, RealtimeHandlers } from "../conversation/transport.ts";

/** 24 kHz PCM16 bytes per ms. */
const BYTES_PER_MS = 48;

/** The close code of each relay code that ends a call (the relay's `RealtimeBridge`); others leave it open. */
const ENDS_CALL: Record<string, number> = {
  session_expired: 1000,
  session_idle: 1000,
  shutting_down: 1012,
  upstream_error: 1011,
  internal: 1013,
};

/** The fake call's script and what it received. */
export interface FakeRealtimeScript {
  /** Transcripts of committed audio, in order (then "hello"). */
  readonly transcripts: string[];
  /**
   * Reply texts, in order (then "This is a reply."); a reply `tool:<name>` calls that tool, with the JSON
   * arguments that follow a space (`tool:lookup {"id":"A17"}`), else `{}`; a reply `failed` is a response
   * the provider failed (`response.done` with status `failed`); `server:<name> <before>|<after>` speaks
   * `before`, runs the agent's server tool `name` on the relay (its `voice_agent.tool` events), then speaks
   * `after` as a second item of the same response, as the relay presents a server tool's answer (over WebRTC,
   * as the data channel shows it: the call, then `after` as a response of its own).
   */
  readonly replies: string[];
  /**
   * Relay error codes that refuse the next `response.create`s, in order: the relay's `error` event; a code
   * that ends a call (`upstream_error`, `session_expired`, …) then closes it as the relay does.
   */
  readonly refusals: string[];
  /** Audio per character of a reply, ms. */
  readonly speechMsPerChar: number;
  /** How long a server tool runs (`server:` replies), ms; default 1. */
  readonly serverToolMs?: number;
  /** Every event the widget sent, in order. */
  readonly received: RealtimeEvent[];
  /**
   * A WebRTC call: the reply's audio is announced by `output_audio_buffer.started`, and its end by
   * `.stopped` after `response.done`, or only on the returned `stopAudio()` when `holdAudio` says so.
   */
  readonly webrtc?: { holdAudio: boolean };
}

/** Opens one fake call: events from the widget are answered as a realtime provider through the relay would. */
export function openFakeRealtime(
  script: FakeRealtimeScript,
  handlers: RealtimeHandlers,
): { channel: RealtimeChannel; drop(code: number, reason: string): void; endTurn(): void; stopAudio(): void } {
  let audioBytes = 0;
  let response: { cancelled: boolean } | undefined;
  let ids = 0;
  let open = true;
  /** WebRTC: the response whose audio is playing. */
  let playing: string | undefined;
  const stopAudio = () => {
    if (playing) emit({ type: "output_audio_buffer.stopped", response_id: playing });
    playing = undefined;
  };
  const emit = (event: RealtimeEvent) => queueMicrotask(() => open && handlers.event(event));
  const close = (code: number, reason: string) => {
    if (!open) return;
    open = false;
    handlers.closed(code, reason);
  };
  /** Like the relay: an `error` event in the protocol's shape, then the close when the code ends the call. */
  const refuse = (code: string) => {
    emit({ type: "error", event_id: `relay_${++ids}`, error: { type: "invalid_request_error", code, message: `fake ${code}` } });
    const closeCode = ENDS_CALL[code];
    if (closeCode !== undefined) queueMicrotask(() => close(closeCode, code));
  };
  const respond = async () => {
    const current = (response = { cancelled: false });
    const responseId = `resp_${++ids}`;
    const text = script.replies.shift() ?? "This is a reply.";
    emit({ type: "response.created", response: { id: responseId } });
    if (text === "failed") {
      const error = { type: "server_error", code: "server_error", message: "The server had an error." };
      return emit({ type: "response.done", response: { id: responseId, status: "failed", status_details: { type: "failed", error } } });
    }
    const [, tool, args = "{}"] = /^tool:(\S+)(?: (.+))?$/.exec(text) ?? [];
    if (tool) {
      emit({ type: "response.function_call_arguments.done", response_id: responseId, call_id: `call_${ids}`, name: tool, arguments: args });
      return emit({ type: "response.done", response: { id: responseId, status: "completed" } });
    }
    const [, server, before, after] = /^server:(\S+) (.*)\|(.*)$/.exec(text) ?? [];
    const speak = async (text: string) => {
      const itemId = `item_${++ids}`;
      const samples = Math.round((text.length * script.speechMsPerChar * BYTES_PER_MS) / 2);
      for (const [i, word] of text.split(/(?<= )/).entries()) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (current.cancelled || !open) return false;
        if (i === 0 && script.webrtc && !playing) emit({ type: "output_audio_buffer.started", response_id: (playing = responseId) });
        else if (i === 0 && !script.webrtc)
          emit({ type: "response.output_audio.delta", response_id: responseId, item_id: itemId, delta: pcmBase64(samples) });
        emit({ type: "response.output_audio_transcript.delta", response_id: responseId, item_id: itemId, delta: word });
      }
      emit({ type: "response.output_audio_transcript.done", response_id: responseId, item_id: itemId, transcript: text });
      return true;
    };
    if (server && script.webrtc) {
      // What a WebRTC call's data channel shows: the call, the response's end, then (the relay runs the tool on
      // the sideband and asks for the answer) a response the browser did not ask for.
      if (before && !(await speak(before))) return;
      emit({
        type: "response.function_call_arguments.done",
        response_id: responseId,
        call_id: `call_${++ids}`,
        name: server,
        arguments: "{}",
      });
      emit({ type: "response.done", response: { id: responseId, status: "completed" } });
      await new Promise((resolve) => setTimeout(resolve, script.serverToolMs ?? 1));
      if (current.cancelled || !open) return;
      script.replies.unshift(after!);
      return void respond();
    }
    if (server) {
      if (!(await speak(before!))) return;
      emit({ type: "voice_agent.tool", event_id: `relay_${++ids}`, response_id: responseId, name: server, status: "running" });
      await new Promise((resolve) => setTimeout(resolve, script.serverToolMs ?? 1));
      emit({ type: "voice_agent.tool", event_id: `relay_${++ids}`, response_id: responseId, name: server, status: "done" });
      if (!(await speak(after!))) return;
    } else if (!(await speak(text))) return;
    const usage = { input_tokens: 100, output_tokens: text.split(" ").length };
    emit({ type: "response.done", response: { id: responseId, status: "completed", usage } });
    if (script.webrtc && !script.webrtc.holdAudio) queueMicrotask(stopAudio);
  };
  const commit = () => {
    const ms = audioBytes / BYTES_PER_MS;
    audioBytes = 0;
    const itemId = `item_${++ids}`;
    emit({ type: "input_audio_buffer.committed", item_id: itemId });
    emit({
      type: "conversation.item.input_audio_transcription.completed",
      item_id: itemId,
      transcript: script.transcripts.shift() ?? `hello (${Math.round(ms)} ms)`,
    });
  };
  const channel: RealtimeChannel = {
    send(event) {
      script.received.push(structuredClone(event));
      if (event.type === "input_audio_buffer.append") audioBytes += Math.floor((String(event.audio).length * 3) / 4);
      if (event.type === "input_audio_buffer.commit") commit();
      if (event.type === "response.create") {
        const refusal = script.refusals.shift();
        if (refusal) refuse(refusal);
        else void respond();
      }
      if (event.type === "response.cancel" && response) response.cancelled = true;
      if (event.type === "output_audio_buffer.clear") {
        if (playing) emit({ type: "output_audio_buffer.cleared", response_id: playing });
        playing = undefined;
      }
    },
    close: () => void (open = false),
  };
  return {
    channel,
    drop: close,
    stopAudio,
    endTurn() {
      emit({ type: "input_audio_buffer.speech_stopped", audio_end_ms: Math.round(audioBytes / BYTES_PER_MS) });
      commit();
      void respond();
    },
  };
}

function pcmBase64(samples: number): string {
  const bytes = new Uint8Array(new Int16Array(samples).fill(1000).buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
