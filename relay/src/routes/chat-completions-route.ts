import type OpenAI from "openai";
import type { Hono } from "hono";
import { assertDeclaredTools } from "../assert-declared-tools.ts";
import { HttpError } from "../http-error.ts";
import { PATHS, RECORD_ID_HEADER } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { Recorder } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import { ChatRequestSchema } from "../wire-schemas.ts";
import { stageRoute, type UpstreamStageOptions } from "./upstream-stage.ts";

/** Dependencies of {@link createChatCompletionsRoute}. */
export interface ChatCompletionsRouteOptions extends UpstreamStageOptions {
  llm: OpenAI;
  recorder: Recorder;
}

/**
 * `POST /v1/chat/completions`: prepends the agent's system prompt, calls the agent's LLM with its model,
 * temperature, token limit and tools, and passes the upstream's SSE events through as they arrive
 * (bytes untouched, see `ssePassThrough`), then `data: [DONE]`. A failure after the stream started
 * (upstream error, silence longer than `streamIdleMs`, relay shutdown) ends it with one
 * `data: {"error":…}` frame. The records get what the visitor said once the upstream was reached (also
 * when it failed: 502, 504) and the reply as it streams; its record id goes out as `x-record-id`. A
 * speculative request (`"speculative": true`: sent at a pause, on the transcript of the speech so far)
 * has its records held until the widget commits the turn (see `ChatRecord.hold`).
 */
export function createChatCompletionsRoute(options: ChatCompletionsRouteOptions): Hono<RelayEnv> {
  const { llm, recorder } = options;
  return stageRoute(
    { path: PATHS.chatCompletions, stage: "llm", record: (scope) => recorder.chat(scope) },
    options,
    async (c, upstream, record) => {
      const { messages, speculative } = await readJson(c, ChatRequestSchema);
      if (speculative) record.hold();
      const { llm: config, systemPrompt, tools } = c.get("agent");
      assertDeclaredTools(messages, tools);
      const answer = await upstream
        .call((signal) =>
          llm.chat.completions
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
            .asResponse(),
        )
        .catch(async (error: unknown) => {
          // The request was valid and reached the upstream: the visitor did say it.
          if (error instanceof HttpError && (error.status === 502 || error.status === 504)) await record.said(messages);
          throw error;
        });
      // Committed while the reply streams, so the reply's commit before `[DONE]` usually finds it done.
      void record.said(messages);
      return upstream.events(answer, record.observer, record.recordId ? { [RECORD_ID_HEADER]: record.recordId } : {});
    },
  );
}
