import type OpenAI from "openai";
import type { Hono } from "hono";
import { assertDeclaredTools } from "../assert-declared-tools.ts";
import { HttpError } from "../http-error.ts";
import type { KnowledgeIndex } from "../knowledge/knowledge-index.ts";
import { turnKnowledge } from "../knowledge/turn-knowledge.ts";
import { PATHS, RECORD_ID_HEADER, type ChatMessage } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { Recorder } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import { DEFAULT_SERVER_TOOL_LIMITS, isServerTool, type ServerToolLimits } from "../server-tools/run-server-tool.ts";
import { ServerToolRounds, type LoopMessage } from "../server-tools/tool-rounds.ts";
import { ChatRequestSchema } from "../wire-schemas.ts";
import { stageRoute, type UpstreamStageOptions } from "./upstream-stage.ts";

/** Dependencies of {@link createChatCompletionsRoute}. */
export interface ChatCompletionsRouteOptions extends UpstreamStageOptions {
  llm: OpenAI;
  recorder: Recorder;
  /** Where server tools' header secrets are read, when they are called; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Bounds of server tool calls; default `DEFAULT_SERVER_TOOL_LIMITS`. */
  serverToolLimits?: ServerToolLimits;
  /** Knowledge indexes by agent id (`loadKnowledge`); an agent without one gets no passages. */
  knowledge?: ReadonlyMap<string, KnowledgeIndex>;
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
 *
 * An agent with server tools gets the tool loop (`ServerToolRounds`): the relay runs the model's server
 * calls and continues the reply in the same stream. Either way the turn's tool rounds are the agent's
 * `maxToolRounds`: once the turn's earlier rounds used them, the model is asked with `tool_choice: "none"`.
 *
 * An agent with knowledge gets the turn's passages (`turnKnowledge`: searched with the visitor's words,
 * never with tool results) as a second system message, reference text after the agent's prompt; the
 * turn's first request records a `knowledge` event citing them once the upstream answered.
 */
export function createChatCompletionsRoute(options: ChatCompletionsRouteOptions): Hono<RelayEnv> {
  const { llm, recorder } = options;
  const env = options.env ?? process.env;
  const limits = options.serverToolLimits ?? DEFAULT_SERVER_TOOL_LIMITS;
  return stageRoute(
    { path: PATHS.chatCompletions, stage: "llm", record: (scope) => recorder.chat(scope) },
    options,
    async (c, upstream, record) => {
      const { messages, speculative } = await readJson(c, ChatRequestSchema);
      if (speculative) record.hold();
      const agent = c.get("agent");
      const { llm: config, systemPrompt, tools } = agent;
      assertDeclaredTools(messages, tools);
      const offered = tools.map(({ name, description, parameters }) => ({
        type: "function" as const,
        function: { name, description, parameters },
      }));
      const request = (conversation: readonly LoopMessage[], toolChoice: "none" | undefined, signal: AbortSignal) =>
        llm.chat.completions
          .create(
            {
              model: config.model,
              messages: conversation as OpenAI.ChatCompletionMessageParam[],
              stream: true,
              stream_options: { include_usage: true },
              max_completion_tokens: config.maxTokens,
              ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
              ...(offered.length === 0 ? {} : { tools: offered, ...(toolChoice ? { tool_choice: toolChoice } : {}) }),
            },
            { signal },
          )
          .asResponse();
      const index = agent.knowledge && options.knowledge?.get(agent.id);
      const knowledge = index ? turnKnowledge(index, agent.knowledge!, messages) : undefined;
      const conversation: LoopMessage[] = [
        { role: "system", content: systemPrompt },
        ...(knowledge?.message ? [{ role: "system" as const, content: knowledge.message }] : []),
        ...messages,
      ];
      const roundsLeft = agent.maxToolRounds - toolRoundsSinceUser(messages);
      const answer = await upstream
        .call((signal) => request(conversation, roundsLeft > 0 ? undefined : "none", signal))
        .catch(async (error: unknown) => {
          // The request was valid and reached the upstream: the visitor did say it.
          if (error instanceof HttpError && (error.status === 502 || error.status === 504)) await record.said(messages);
          throw error;
        });
      // Committed while the reply streams, so the reply's commit before `[DONE]` usually finds it done.
      void record.said(messages);
      // A tool round's continuation got the same passages: the turn's first request cites them.
      if (knowledge && messages.at(-1)?.role === "user") record.knowledge(knowledge.citation);
      const headers: Record<string, string> = record.recordId ? { [RECORD_ID_HEADER]: record.recordId } : {};
      if (!tools.some(isServerTool)) return upstream.events(answer, record.observer, headers);
      const rounds = new ServerToolRounds({
        agent,
        messages: conversation,
        roundsLeft,
        request,
        record,
        context: { toolHosts: agent.toolHosts, env, limits },
        log: options.log,
        requestId: c.get("requestId"),
      });
      return upstream.rounds(answer, rounds, record.observer, headers);
    },
  );
}

/** The tool rounds of the turn so far: the assistant's tool calls after the last user message. */
function toolRoundsSinceUser(messages: readonly ChatMessage[]): number {
  let rounds = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role !== "user"; i--) if ("tool_calls" in messages[i]!) rounds++;
  return rounds;
}
