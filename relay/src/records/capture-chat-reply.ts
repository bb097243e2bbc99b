import type { MiddlewareHandler } from "hono";
import { RECORD_ID_HEADER } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import { captureProxyError, turn } from "./capture-proxy-error.ts";
import type { TurnLatency } from "../protocol.ts";
import type { ToolCallRecord } from "./session-record.ts";
import type { SessionRecorder } from "./session-recorder.ts";
import { requestTurn } from "./request-turn.ts";
import { uuidv7 } from "./uuid-v7.ts";

/** The parts of a chat completion chunk the recorder reads. */
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

/** Adds a streamed piece to the calls assembled so far. */
function addToolCallDelta(calls: ToolCallRecord[], delta: ToolCallDelta): void {
  const call = (calls[delta.index ?? 0] ??= { id: "", name: "", arguments: "" });
  if (delta.id) call.id = delta.id;
  if (delta.function?.name) call.name += delta.function.name;
  if (delta.function?.arguments) call.arguments += delta.function.arguments;
}

/**
 * Around `POST /v1/chat/completions`: observes the SSE stream as the route relays it (never delaying a
 * token, no extra stream layer) to record the assistant's reply with token counts and latencies. The
 * reply is committed before `[DONE]` reaches the browser; a stream the browser aborts (barge-in) is
 * recorded as far as it got, `interrupted`. With a turn id, the request's last user message is recorded
 * too, as the visitor's typed turn (the store skips it when the turn's transcript is there already),
 * committed with the reply, or before an upstream error response leaves.
 */
export function captureChatReply(recorder: SessionRecorder, now: () => number): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const startAt = now();
    const t0 = performance.now();
    // Made first: ids of one process increase, so the visitor's message sorts before the reply.
    const userId = uuidv7(startAt);
    const id = uuidv7(startAt);
    const sessionId = () => c.get("session").sid;
    const utteranceId = c.get("turnId") ?? null;
    const latency: TurnLatency = {};
    let text = "";
    const toolCalls: ToolCallRecord[] = [];
    let usage: ChatChunk["usage"];
    const message = (interrupted: boolean) =>
      recorder.message(sessionId(), {
        id,
        role: "assistant",
        text,
        startAt,
        endAt: now(),
        promptTokens: usage?.prompt_tokens ?? null,
        completionTokens: usage?.completion_tokens ?? null,
        interrupted,
        latency: { ...latency, upstreamLlmTotalMs: Math.round(performance.now() - t0) },
        utteranceId,
        toolCalls: toolCalls.length ? toolCalls.filter(Boolean) : null,
      });
    let typed: Promise<void> | undefined;
    const typedTurn = () =>
      (typed ??= requestTurn(c).then(async ({ typed: said, toolResults }) => {
        await Promise.all(toolResults.map((result) =>
          recorder.message(sessionId(), { id: `${sessionId()}:${result.toolCallId}`, role: "tool", text: result.text, startAt, endAt: startAt, toolCallId: result.toolCallId, utteranceId })));
        // Without a turn id the relay cannot tell typed text from a transcript it recorded already.
        if (said !== undefined && utteranceId) await recorder.message(sessionId(), { id: userId, role: "user", text: said, startAt, endAt: startAt, utteranceId });
      }));
    c.set("sseObserver", {
      onEvent(data) {
        const chunk = data as ChatChunk;
        const delta = chunk.choices?.[0]?.delta;
        if (delta?.content) {
          if (text === "") latency.upstreamLlmFirstTokenMs = Math.round(performance.now() - t0);
          text += delta.content;
        }
        for (const call of delta?.tool_calls ?? []) addToolCallDelta(toolCalls, call);
        if (chunk.usage) usage = chunk.usage;
      },
      async beforeEnd(error) {
        if (error) recorder.event(sessionId(), "error", { stage: "llm", code: error.code, ...turn(c) });
        const recorded = !error || text || toolCalls.length ? message(error !== undefined) : undefined;
        await Promise.all([typedTurn(), recorded]);
      },
      onCancel() {
        recorder.event(sessionId(), "reply-aborted", { messageId: id, chars: text.length, ...turn(c) });
        void typedTurn();
        if (text || toolCalls.length) void message(true);
      },
    });
    await next();
    // 502 / 504: the request was valid and reached the upstream, so the visitor did say it.
    if (c.res.status === 502 || c.res.status === 504) await typedTurn();
    if (!c.res.ok) return captureProxyError(c, recorder, "llm");
    if (c.res.headers.get("content-type")?.startsWith("text/event-stream")) {
      // The route has validated the request: commit the visitor's turn while the reply streams, so the
      // reply's commit before `[DONE]` usually finds it done.
      void typedTurn();
      c.res.headers.set(RECORD_ID_HEADER, id);
    }
  };
}
