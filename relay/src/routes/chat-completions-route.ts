import { Hono } from "hono";
import type OpenAI from "openai";
import { assertDeclaredTools } from "../assert-declared-tools.ts";
import { PATHS, RECORD_ID_HEADER } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import { type Recorder, recordScope } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { ssePassThrough } from "../sse-pass-through.ts";
import { upstreamError } from "../upstream-error.ts";
import { upstreamStream } from "../upstream-http.ts";
import { ChatRequestSchema } from "../wire-schemas.ts";

/** Dependencies of {@link createChatCompletionsRoute}. */
export interface ChatCompletionsRouteOptions {
  llm: OpenAI;
  recorder: Recorder;
  log: RelayLog;
  /** Longest silence (ms) of the upstream between chunks. */
  streamIdleMs: number;
  /** Aborted when the relay shuts down. */
  closing: AbortSignal;
}

/**
 * `POST /v1/chat/completions`: prepends the agent's system prompt, calls the agent's LLM with its model,
 * temperature, token limit and tools, and passes the upstream's SSE events through as they arrive
 * (bytes untouched, see `ssePassThrough`), then `data: [DONE]`. A failure after the stream started
 * (upstream error, silence longer than `streamIdleMs`, relay shutdown) ends it with one
 * `data: {"error":…}` frame. The records get what the visitor said once the upstream was reached (also
 * when it failed: 502, 504) and the reply as it streams; its record id goes out as `x-record-id`.
 */
export function createChatCompletionsRoute(options: ChatCompletionsRouteOptions): Hono<RelayEnv> {
  const { llm, log } = options;
  return new Hono<RelayEnv>().post(PATHS.chatCompletions, async (c) => {
    const record = options.recorder.chat(recordScope(c));
    try {
      const { messages } = await readJson(c, ChatRequestSchema);
      const { llm: config, systemPrompt, tools } = c.get("agent");
      assertDeclaredTools(messages, tools);
      const upstreamAbort = new AbortController();
      const signal = AbortSignal.any([c.req.raw.signal, upstreamAbort.signal, options.closing]);
      const upstream = await llm.chat.completions
        .create(
          {
            model: config.model,
            messages: [{ role: "system", content: systemPrompt }, ...messages],
            stream: true,
            stream_options: { include_usage: true },
            max_completion_tokens: config.maxTokens,
            ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
            ...(tools.length === 0 ? {} : { tools: tools.map((tool) => ({ type: "function" as const, function: tool })) }),
          },
          { signal },
        )
        .asResponse()
        .catch(async (err: unknown) => {
          const error = upstreamError("llm", err, options.closing);
          // The request was valid and reached the upstream: the visitor did say it.
          if (error.status === 502 || error.status === 504) await record.said(messages);
          throw error;
        });
      // Committed while the reply streams, so the reply's commit before `[DONE]` usually finds it done.
      void record.said(messages);
      const guard = { stage: "llm" as const, idleMs: options.streamIdleMs, closing: options.closing, upstream: upstreamAbort };
      const body = ssePassThrough(upstreamStream(upstream, "llm"), {
        guard,
        client: c.req.raw.signal,
        observer: record.observer,
        onError: (error) => log({ level: "warn", msg: "llm stream failed", requestId: c.get("requestId"), code: error.code, detail: error.message }),
      });
      // Chunked explicitly, so the Node adapter sends the headers at once instead of waiting for body chunks.
      return c.body(body, 200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "transfer-encoding": "chunked",
        ...(record.recordId ? { [RECORD_ID_HEADER]: record.recordId } : {}),
      });
    } catch (error) {
      record.failed(error, c.req.raw.signal.aborted);
      throw error;
    }
  });
}
