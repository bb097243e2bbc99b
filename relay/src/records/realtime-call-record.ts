import { REALTIME_HISTORY_ITEM_PREFIX } from "../protocol.ts";
import type { RealtimeRecord, RecordScope } from "../recorder.ts";
import type { ServerToolRun } from "../server-tools/run-server-tool.ts";
import { MAX_RECORDED_TOOL_RESULT, type ToolCallRecord } from "./session-record.ts";
import type { SessionRecorder } from "./session-recorder.ts";
import { uuidv7 } from "./uuid-v7.ts";

/** Bytes of 24 kHz mono PCM16 per ms: the realtime protocol's audio. */
const PCM_BYTES_PER_MS = 48;

/** One assistant item of a response, as its events arrive. */
interface Reply {
  id: string;
  responseId: string;
  text: string;
  audioBytes: number;
  startAt: number;
  /** The response's tool calls, kept with its first item (their own when the response only calls tools). */
  toolCalls: ToolCallRecord[];
  /** Where the browser cut its audio (`conversation.item.truncate`), ms. */
  heardMs?: number;
  /** Its server tool calls the relay has not reported on yet: it is written once they are none. */
  running: Set<string>;
  /** Its response's end, while it waits for {@link running}. */
  done?: { usage: Usage | undefined; cancelled: boolean };
  written: boolean;
}

type Usage = { input_tokens?: number; output_tokens?: number };

type Event = Record<string, unknown>;

/**
 * The {@link RealtimeRecord} of one call: the visitor's transcripts and typed messages (from the upstream's
 * `conversation.item.added`, not the widget's replayed history), each assistant item
 * with its transcript, tokens and tool calls (written at its response's end; a response that only calls
 * tools as an assistant message without text; one that called server tools once the relay ran them, their
 * outcome, result and time on their calls), the page's tool results, an item the browser truncated as
 * interrupted with the words heard (its transcript cut in proportion to the audio heard), errors, and the
 * call's start and end as events. Turn latency: the visitor's speech end (the upstream's
 * `speech_stopped` or the browser's `commit`) → the reply's first audio from the upstream, as
 * `upstreamLlmFirstTokenMs`.
 */
export function realtimeCallRecord(recorder: SessionRecorder, scope: RecordScope, now: () => number, model: string): RealtimeRecord {
  const { sessionId } = scope;
  const replies = new Map<string, Reply>();
  let turnEndedAt: number | undefined;
  let firstAudioMs: number | undefined;
  recorder.event(sessionId, "realtime-call", { model });

  const reply = (event: Event): Reply => {
    const itemId = String(event.item_id);
    let r = replies.get(itemId);
    if (!r)
      replies.set(
        itemId,
        (r = {
          id: uuidv7(now()),
          responseId: String(event.response_id),
          text: "",
          audioBytes: 0,
          startAt: now(),
          toolCalls: [],
          running: new Set(),
          written: false,
        }),
      );
    return r;
  };
  const heardTextOf = (r: Reply) =>
    r.heardMs === undefined || r.audioBytes === 0 ? null : heard(r.text, r.heardMs / (r.audioBytes / PCM_BYTES_PER_MS));
  const write = (r: Reply, usage?: Usage, cancelled = false) => {
    r.written = true;
    const interrupted = cancelled || r.heardMs !== undefined;
    void recorder.message(sessionId, {
      id: r.id,
      role: "assistant",
      text: r.text,
      startAt: r.startAt,
      endAt: now(),
      promptTokens: usage?.input_tokens ?? null,
      completionTokens: usage?.output_tokens ?? null,
      interrupted,
      heardText: heardTextOf(r),
      latency: firstAudioMs === undefined ? {} : { upstreamLlmFirstTokenMs: firstAudioMs },
      toolCalls: r.toolCalls.length ? r.toolCalls : null,
    });
  };
  const said = (text: string, utteranceId: string, audioDurationMs?: number) =>
    void recorder.message(sessionId, {
      id: uuidv7(now()),
      role: "user",
      text,
      startAt: now(),
      endAt: now(),
      utteranceId,
      audioDurationMs: audioDurationMs ?? null,
    });

  /**
   * The visitor stopped hearing a reply at `audio_end_ms`: the browser's `conversation.item.truncate`, or the
   * provider's `conversation.item.truncated` (all a WebRTC call's sideband sees; a call through the relay
   * sees both, recorded once). Heard text needs the reply's audio length, which only the WebSocket carries.
   */
  const truncated = (event: Record<string, unknown>) => {
    const r = replies.get(String(event.item_id));
    const heardMs = Number(event.audio_end_ms);
    if (!r || r.heardMs === heardMs) return;
    r.heardMs = heardMs;
    recorder.event(sessionId, "interruption", { messageId: r.id, playedMs: r.heardMs });
    // Written already (the response ended before the visitor stopped hearing it): patched in place.
    const heardText = heardTextOf(r);
    if (r.written) recorder.patch(sessionId, r.id, { interrupted: true, ...(heardText === null ? {} : { heardText }) });
  };
  const withCall = (callId: string) => [...replies.values()].find((r) => r.toolCalls.some((call) => call.id === callId));

  return {
    client(event) {
      if (event.type === "input_audio_buffer.commit") turnEndedAt = performance.now();
      if (event.type === "conversation.item.truncate") truncated(event);
      if (event.type === "conversation.item.create") {
        const item = event.item as { type?: string; role?: string; call_id?: string; output?: string };
        // Typed text: recorded from the upstream's `conversation.item.added`, which a sideband sees too.
        if (item.type === "message" && item.role === "user") turnEndedAt = performance.now();
        if (item.type === "function_call_output" && item.call_id) {
          const at = now();
          void recorder.message(sessionId, {
            id: `${sessionId}:${item.call_id}`,
            role: "tool",
            text: String(item.output ?? ""),
            startAt: at,
            endAt: at,
            toolCallId: item.call_id,
          });
        }
      }
    },
    upstream(event) {
      switch (event.type) {
        case "conversation.item.truncated":
          return truncated(event);
        case "conversation.item.added": {
          // The visitor's typed text (not the widget's replayed history, recorded in its own session already).
          const item = (event.item ?? {}) as { id?: unknown; role?: string; content?: { type?: string; text?: string }[] };
          if (item.role !== "user" || String(item.id).startsWith(REALTIME_HISTORY_ITEM_PREFIX)) return;
          const text = (item.content ?? []).flatMap((part) => (part.type === "input_text" && part.text ? [part.text] : [])).join(" ");
          if (text) said(text, uuidv7(now()));
          return;
        }
        case "input_audio_buffer.speech_stopped":
          turnEndedAt = performance.now();
          return;
        case "conversation.item.input_audio_transcription.completed":
          return said(String(event.transcript ?? ""), String(event.item_id));
        case "response.created":
          firstAudioMs = undefined;
          return;
        case "response.output_audio.delta":
          if (firstAudioMs === undefined && turnEndedAt !== undefined) firstAudioMs = Math.round(performance.now() - turnEndedAt);
          reply(event).audioBytes += Math.floor((String(event.delta ?? "").length * 3) / 4);
          return;
        case "response.output_audio_transcript.delta":
          reply(event).text += String(event.delta ?? "");
          return;
        case "response.output_audio_transcript.done":
          reply(event).text = String(event.transcript ?? "");
          return;
        case "response.function_call_arguments.done": {
          const r = [...replies.values()].find((item) => item.responseId === String(event.response_id)) ?? reply(event);
          r.toolCalls.push({ id: String(event.call_id), name: String(event.name), arguments: String(event.arguments ?? "") });
          return;
        }
        case "response.done": {
          const response = (event.response ?? {}) as {
            id?: string;
            status?: string;
            usage?: { input_tokens?: number; output_tokens?: number };
          };
          const ofResponse = [...replies.values()].filter((r) => r.responseId === response.id && !r.written);
          ofResponse.forEach((r, i) => {
            const done = { usage: i === 0 ? response.usage : undefined, cancelled: response.status === "cancelled" };
            if (r.running.size) r.done = done;
            else write(r, done.usage, done.cancelled);
          });
          return;
        }
        case "error":
          recorder.event(sessionId, "error", { stage: "realtime", code: (event.error as { code?: string } | undefined)?.code ?? null });
          return;
      }
    },
    serverToolCalled(callId) {
      withCall(callId)?.running.add(callId);
    },
    serverToolRan(run: ServerToolRun) {
      const r = withCall(run.id);
      const call = r?.toolCalls.find((c) => c.id === run.id);
      if (!r || !call || r.written) return;
      call.runs = "server";
      call.outcome = run.outcome;
      call.result = run.result.slice(0, MAX_RECORDED_TOOL_RESULT);
      call.durationMs = run.durationMs;
      if (run.status !== undefined) call.status = run.status;
      r.running.delete(run.id);
      if (r.running.size === 0 && r.done) write(r, r.done.usage, r.done.cancelled);
    },
    active: (idleTimeoutMs, endsAt) => recorder.activity(sessionId, idleTimeoutMs, endsAt),
    ended(reason) {
      for (const r of replies.values()) if (!r.written) write(r, r.done?.usage, r.done?.cancelled ?? true);
      recorder.event(sessionId, "realtime-call-ended", { reason });
    },
  };
}

/** The first part of `text` the visitor heard: its words in proportion to `fraction` of the audio. */
function heard(text: string, fraction: number): string {
  const words = text.split(/(?<=\s)/);
  return words
    .slice(0, Math.round(words.length * Math.min(1, Math.max(0, fraction))))
    .join("")
    .trim();
}
