import type { ChatMessage, TurnLatency } from "../protocol.ts";
import type { ChatRecord, RecordScope } from "../recorder.ts";
import type { SseStreamObserver } from "../sse-pass-through.ts";
import { failureEvent, turnPayload } from "./failure-event.ts";
import type { HeldTurns } from "./held-turns.ts";
import { MAX_RECORDED_TOOL_RESULT, type ToolCallRecord } from "./session-record.ts";
import type { SessionRecorder } from "./session-recorder.ts";
import { uuidv7 } from "./uuid-v7.ts";

/** The parts of a chat completion chunk the records read. */
interface ChatChunk {
  choices?: { delta?: { content?: string | null; tool_calls?: ToolCallDelta[] } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** A piece of a streamed tool call: the first piece of call `index` has its id and name, later ones more arguments. */
interface ToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** Adds a streamed piece to the calls assembled so far (this round's indexes start at `base`). */
function addToolCallDelta(calls: ToolCallRecord[], delta: ToolCallDelta, base: number): void {
  const call = (calls[base + (delta.index ?? 0)] ??= { id: "", name: "", arguments: "" });
  if (delta.id) call.id = delta.id;
  if (delta.function?.name) call.name += delta.function.name;
  if (delta.function?.arguments) call.arguments += delta.function.arguments;
}

/**
 * The {@link ChatRecord} of one `POST /v1/chat/completions`: records the assistant's reply with token
 * counts, tool calls and the relay's latencies as the route relays the stream (never delaying a token),
 * committed before `[DONE]` reaches the browser; a stream the browser aborts (barge-in) is recorded as far
 * as it got, `interrupted`. What the visitor said (typed text, tool results) is committed with the reply.
 * With a turn id: the request commits the turn's held writes (its speculative transcript) first; held
 * itself (speculative), its writes wait in `held.turns` for the turn's commit, and a cancel before the
 * commit withdraws them (only a `speculation-cancelled` event is recorded).
 */
export function chatReplyRecord(
  recorder: SessionRecorder,
  scope: RecordScope,
  now: () => number,
  held?: { turns: HeldTurns; turnId: string },
): ChatRecord {
  const { sessionId, turnId } = scope;
  const utteranceId = turnId ?? null;
  const startAt = now();
  const t0 = performance.now();
  // Made first: ids of one process increase, so the visitor's message sorts before the reply.
  const userId = uuidv7(startAt);
  const id = uuidv7(startAt);
  const latency: TurnLatency = {};
  let text = "";
  const toolCalls: ToolCallRecord[] = [];
  /** Where the current round's calls start in `toolCalls` (a reply with server tools has several rounds). */
  let round = 0;
  const usage = { prompt_tokens: 0, completion_tokens: 0, seen: false };
  let said: Promise<void> | undefined;
  let speculative = false;
  const withdrawals: (() => void)[] = [];
  /** Writes now, or holds the write with the turn while the request is speculative. */
  const gate = (write: () => Promise<void>): Promise<void> => {
    if (!speculative || !held) return write();
    withdrawals.push(held.turns.hold(sessionId, held.turnId, write));
    return Promise.resolve();
  };
  const reply = (interrupted: boolean) =>
    recorder.message(sessionId, {
      id,
      role: "assistant",
      text,
      startAt,
      endAt: now(),
      promptTokens: usage.seen ? usage.prompt_tokens : null,
      completionTokens: usage.seen ? usage.completion_tokens : null,
      interrupted,
      latency: { ...latency, upstreamLlmTotalMs: Math.round(performance.now() - t0) },
      utteranceId,
      toolCalls: toolCalls.length ? toolCalls.filter(Boolean) : null,
    });
  const observer: SseStreamObserver = {
    onEvent(data) {
      const chunk = data as ChatChunk;
      const delta = chunk.choices?.[0]?.delta;
      if (delta?.content) {
        if (text === "") latency.upstreamLlmFirstTokenMs = Math.round(performance.now() - t0);
        text += delta.content;
      }
      for (const call of delta?.tool_calls ?? []) addToolCallDelta(toolCalls, call, round);
      if (chunk.usage) {
        // Summed: each round of a reply with server tools is an LLM call of its own.
        usage.seen = true;
        usage.prompt_tokens += chunk.usage.prompt_tokens ?? 0;
        usage.completion_tokens += chunk.usage.completion_tokens ?? 0;
      }
    },
    async beforeEnd(error) {
      if (error) recorder.event(sessionId, "error", { stage: "llm", code: error.code, ...turnPayload(turnId) });
      const recorded = !error || text || toolCalls.length ? gate(() => reply(error !== undefined)) : undefined;
      // Ended before its commit: the commit may reach another instance.
      if (speculative && held) held.turns.watch(sessionId, held.turnId);
      await Promise.all([said, recorded]);
    },
    onCancel() {
      if (speculative && held && !held.turns.committed(sessionId, held.turnId)) {
        for (const withdraw of withdrawals) withdraw();
        recorder.event(sessionId, "speculation-cancelled", { stage: "llm", chars: text.length, ...turnPayload(turnId) });
        return;
      }
      recorder.event(sessionId, "reply-aborted", { messageId: id, chars: text.length, ...turnPayload(turnId) });
      if (text || toolCalls.length) void gate(() => reply(true));
    },
  };
  return {
    recordId: id,
    observer,
    hold: () => void (speculative = true),
    said(messages: readonly ChatMessage[]) {
      const write = () => saidMessages(recorder, scope, messages, { userId, startAt });
      if (speculative) return (said ??= gate(write));
      // A held transcript of the turn goes first: the one user message per turn is the first written.
      return (said ??= Promise.all([held?.turns.commit(sessionId, held.turnId), write()]).then(() => {}));
    },
    failed(error, clientGone) {
      recorder.event(sessionId, ...failureEvent("llm", error, clientGone, turnId));
    },
    roundEnded(runs) {
      for (const run of runs) {
        const call = toolCalls.find((c, i) => i >= round && c.id === run.id);
        if (!call) continue;
        call.runs = "server";
        call.outcome = run.outcome;
        call.result = run.result.slice(0, MAX_RECORDED_TOOL_RESULT);
        call.durationMs = run.durationMs;
        if (run.status !== undefined) call.status = run.status;
      }
      round = toolCalls.length;
    },
    knowledge(citation) {
      void gate(async () => recorder.event(sessionId, "knowledge", { ...turnPayload(turnId), ...citation }));
    },
  };
}

/** Records the request's trailing tool results and, with a turn id, its last message when the visitor typed it. */
async function saidMessages(
  recorder: SessionRecorder,
  scope: RecordScope,
  messages: readonly ChatMessage[],
  at: { userId: string; startAt: number },
): Promise<void> {
  const { sessionId, turnId } = scope;
  const { startAt } = at;
  const utteranceId = turnId ?? null;
  const writes: Promise<void>[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== "tool") break;
    const toolCallId = message.tool_call_id;
    writes.push(
      recorder.message(sessionId, {
        id: `${sessionId}:${toolCallId}`,
        role: "tool",
        text: message.content,
        startAt,
        endAt: startAt,
        toolCallId,
        utteranceId,
      }),
    );
  }
  const last = messages.at(-1);
  // Without a turn id the relay cannot tell typed text from a transcript it recorded already.
  if (utteranceId && last?.role === "user" && last.content.trim() !== "") {
    writes.push(recorder.message(sessionId, { id: at.userId, role: "user", text: last.content, startAt, endAt: startAt, utteranceId }));
  }
  await Promise.all(writes);
}
