import type { MiddlewareHandler } from "hono";
import { RECORD_ID_HEADER } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import { captureProxyError } from "./capture-proxy-error.ts";
import type { StageLatency } from "./session-record.ts";
import type { CapturedMessage, SessionRecorder } from "./session-recorder.ts";
import type { SseReplySummary } from "./sse-reply-tee.ts";
import { teeSseReply } from "./sse-reply-tee.ts";
import { uuidv7 } from "./uuid-v7.ts";

/**
 * Around `POST /v1/chat/completions`: tees the SSE stream (never delaying a token) to record the
 * assistant's reply with token counts and latencies. The reply is committed before `[DONE]` reaches the
 * browser; a stream the browser aborts (barge-in) is recorded as far as it got, `interrupted`.
 */
export function captureChatReply(recorder: SessionRecorder, now: () => number): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    const startAt = now();
    const t0 = performance.now();
    await next();
    if (!c.res.ok) return captureProxyError(c, recorder, "llm");
    const res = c.res;
    if (!res.body || !res.headers.get("content-type")?.startsWith("text/event-stream")) return;
    const sessionId = c.get("session").sid;
    const id = uuidv7(startAt);
    const latency: StageLatency = {};
    const reply = (s: SseReplySummary, interrupted: boolean): CapturedMessage => ({
      id,
      role: "assistant",
      text: s.text,
      startAt,
      endAt: now(),
      promptTokens: s.usage?.prompt_tokens ?? null,
      completionTokens: s.usage?.completion_tokens ?? null,
      interrupted,
      latency: { ...latency, llmTotalMs: Math.round(performance.now() - t0) },
    });
    const body = teeSseReply(res.body, {
      onFirstToken: () => {
        latency.llmFirstTokenMs = Math.round(performance.now() - t0);
      },
      beforeEnd: async (s) => {
        if (s.error) recorder.event(sessionId, "error", { stage: "llm", code: s.error.code });
        if (s.complete || s.text) await recorder.message(sessionId, reply(s, !s.complete));
      },
      onCancel: (s) => {
        recorder.event(sessionId, "reply-aborted", { messageId: id, chars: s.text.length });
        if (s.text) void recorder.message(sessionId, reply(s, true));
      },
    });
    c.res = new Response(body, res);
    c.res.headers.set(RECORD_ID_HEADER, id);
  };
}
