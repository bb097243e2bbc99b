import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type OpenAI from "openai";
import { z } from "zod";
import { HttpError } from "../http-error.ts";
import type { ErrorBody } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { upstreamError } from "../upstream-error.ts";

/**
 * What the browser may send. Only user/assistant messages with string content; anything else the
 * client sends (model, temperature, tools, …) is stripped, since the agent configuration decides.
 */
const ChatRequestSchema = z.object({
  messages: z
    .array(z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string().max(20_000) }))
    .min(1)
    .max(200),
  stream: z.literal(true),
});

/**
 * `POST /v1/chat/completions`: prepends the agent's system prompt, calls the agent's LLM with its model,
 * temperature and token limit, and relays each chunk as SSE `data: <json>` as it arrives, then
 * `data: [DONE]`. A failure after the stream started ends it with one `data: {"error":…}` frame.
 */
export function createChatCompletionsRoute(llm: OpenAI, log: RelayLog): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post("/v1/chat/completions", async (c) => {
    const { messages } = await readJson(c, ChatRequestSchema);
    const { llm: config, systemPrompt } = c.get("agent");
    const signal = c.req.raw.signal;
    const upstream = await llm.chat.completions
      .create(
        {
          model: config.model,
          messages: [{ role: "system", content: systemPrompt }, ...messages],
          stream: true,
          stream_options: { include_usage: true },
          max_completion_tokens: config.maxTokens,
          ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
        },
        { signal },
      )
      .catch((err: unknown) => {
        throw upstreamError("llm", err);
      });
    return streamSSE(c, async (sse) => {
      try {
        for await (const chunk of upstream) await sse.writeSSE({ data: JSON.stringify(chunk) });
        await sse.writeSSE({ data: "[DONE]" });
      } catch (err) {
        if (signal.aborted) return;
        const mapped = upstreamError("llm", err);
        const httpError = mapped instanceof HttpError ? mapped : new HttpError(502, "upstream_error", "The llm stream failed.");
        log({ level: "warn", msg: "llm stream failed", requestId: c.get("requestId"), code: httpError.code, detail: httpError.message });
        const frame: ErrorBody = { error: { code: httpError.code, message: httpError.message } };
        await sse.writeSSE({ data: JSON.stringify(frame) });
      }
    });
  });
}
