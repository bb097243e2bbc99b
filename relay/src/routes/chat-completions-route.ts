import { Hono } from "hono";
import type OpenAI from "openai";
import { assertDeclaredTools, ChatRequestSchema } from "../chat-request.ts";
import { readJson } from "../read-json.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { ssePassThrough } from "../sse-pass-through.ts";
import { upstreamError } from "../upstream-error.ts";
import { upstreamStream } from "../upstream-http.ts";

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
 * temperature, token limit and tools, and passes the upstream's SSE events through as they arrive
 * (bytes untouched, see `ssePassThrough`), then `data: [DONE]`. A failure after the stream started (upstream error, silence longer than
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
      .asResponse()
      .catch((err: unknown) => {
        throw upstreamError("llm", err, options.closing);
      });
    const guard = { stage: "llm" as const, idleMs: options.streamIdleMs, closing: options.closing, upstream: upstreamAbort };
    const body = ssePassThrough(upstreamStream(upstream, "llm"), {
      guard,
      client: c.req.raw.signal,
      observer: c.get("sseObserver"),
      onError: (error) => log({ level: "warn", msg: "llm stream failed", requestId: c.get("requestId"), code: error.code, detail: error.message }),
    });
    // Chunked explicitly, so the Node adapter sends the headers at once instead of waiting for body chunks.
    return c.body(body, 200, { "content-type": "text/event-stream", "cache-control": "no-cache", "transfer-encoding": "chunked" });
  });
}
