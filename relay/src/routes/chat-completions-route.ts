import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type OpenAI from "openai";
import { assertDeclaredTools, ChatRequestSchema } from "../chat-request.ts";
import { guardIterator } from "../guard-iterator.ts";
import { HttpError } from "../http-error.ts";
import type { ErrorBody } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { upstreamError } from "../upstream-error.ts";

/** Dependencies of {@link createChatCompletionsRoute}. */
export interface ChatCompletionsRouteOptions {
  llm: OpenAI;
  log: RelayLog;
  /** Longest silence (ms) of the upstream between chunks. */
  streamIdleMs: number;
  /** Aborted when the relay shuts down. */
  closing: AbortSignal;
}

/**
 * `POST /v1/chat/completions`: prepends the agent's system prompt, calls the agent's LLM with its model,
 * temperature, token limit and tools, and relays each chunk as SSE `data: <json>` as it arrives, then
 * `data: [DONE]`. A failure after the stream started (upstream error, silence longer than
 * `streamIdleMs`, relay shutdown) ends it with one `data: {"error":…}` frame.
 */
export function createChatCompletionsRoute(options: ChatCompletionsRouteOptions): Hono<RelayEnv> {
  const { llm, log } = options;
  return new Hono<RelayEnv>().post("/v1/chat/completions", async (c) => {
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
      .catch((err: unknown) => {
        throw upstreamError("llm", err);
      });
    const guard = { stage: "llm" as const, idleMs: options.streamIdleMs, closing: options.closing, upstream: upstreamAbort };
    return streamSSE(c, async (sse) => {
      try {
        for await (const chunk of guardIterator(upstream, guard)) await sse.writeSSE({ data: JSON.stringify(chunk) });
        await sse.writeSSE({ data: "[DONE]" });
      } catch (err) {
        if (c.req.raw.signal.aborted) return;
        const mapped = err instanceof HttpError ? err : upstreamError("llm", err);
        const httpError = mapped instanceof HttpError ? mapped : new HttpError(502, "upstream_error", "The llm stream failed.");
        log({ level: "warn", msg: "llm stream failed", requestId: c.get("requestId"), code: httpError.code, detail: httpError.message });
        const frame: ErrorBody = { error: { code: httpError.code, message: httpError.message } };
        await sse.writeSSE({ data: JSON.stringify(frame) });
      }
    });
  });
}
