import type { RealtimeAudioInputTurnDetection, RealtimeSessionCreateRequest } from "openai/resources/realtime/realtime";
import type { AgentConfig } from "../agent-config.ts";

/** The agent's realtime configuration (an agent with the realtime mode). */
export type RealtimeAgent = AgentConfig & { realtime: NonNullable<AgentConfig["realtime"]> };

/**
 * The realtime session the agent fixes (OpenAI Realtime GA `session` object): model, instructions, output
 * token limit, turn detection, voice and speed, tools (name, description and parameters: a server tool's
 * endpoint stays on the relay). What a client secret is minted with, and what the relay's realtime
 * WebSocket sends upstream first; the browser can change none of it. `serverTools`: whether the session
 * offers the agent's server tools, which only a call through the relay can run (a client secret's call
 * goes from the browser to the provider, and would hand their calls to the page).
 */
export function realtimeSession(agent: RealtimeAgent, { serverTools }: { serverTools: boolean }): RealtimeSessionCreateRequest {
  const { model, voice, turnDetection } = agent.realtime;
  return {
    type: "realtime" as const,
    model,
    instructions: agent.systemPrompt,
    max_output_tokens: agent.llm.maxTokens,
    audio: {
      // Validated as an object by the agent schema; its fields are the provider's to check.
      input: { turn_detection: turnDetection as unknown as RealtimeAudioInputTurnDetection, transcription: { model: agent.stt.model } },
      output: { voice, speed: agent.tts.speed },
    },
    tools: agent.tools
      .filter((tool) => serverTools || tool.runs === "client")
      .map(({ name, description, parameters }) => ({ type: "function" as const, name, description, parameters })),
  };
}
