import type { RealtimeAudioInputTurnDetection, RealtimeSessionCreateRequest } from "openai/resources/realtime/realtime";
import type { AgentConfig } from "../agent-config.ts";

/** The agent's realtime configuration (an agent with the realtime mode). */
export type RealtimeAgent = AgentConfig & { realtime: NonNullable<AgentConfig["realtime"]> };

/**
 * The realtime session the agent fixes (OpenAI Realtime GA `session` object): model, instructions, output
 * token limit, turn detection, voice and speed, tools. What a client secret is minted with, and what the
 * relay's realtime WebSocket sends upstream first; the browser can change none of it.
 */
export function realtimeSession(agent: RealtimeAgent): RealtimeSessionCreateRequest {
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
    // Server tools run in cascade replies only, for now: a realtime call would hand their calls to the page.
    tools: agent.tools
      .filter((tool) => tool.runs === "client")
      .map(({ name, description, parameters }) => ({ type: "function" as const, name, description, parameters })),
  };
}
