/** Turns OpenAI chat-completion stream chunks into {@link ChatDelta}s, assembling streamed tool calls. */
import type { ChatDelta } from "./conversation/transport.ts";

/** The parts of an OpenAI `chat.completion.chunk` the widget reads. */
export interface ChatChunk {
  choices?: {
    delta?: {
      content?: string | null;
      tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: { completion_tokens?: number } | null;
  /** The relay's own event: one of the agent's server tools runs (`ToolStatusChunk` of the relay's protocol). */
  voice_agent?: { type?: string; name?: string; status?: string };
}

/** Feed chunks in order with `push()`, then call `end()`. */
export class ChatChunkReader {
  #calls = new Map<number, { id: string; name: string; arguments: string }>();

  /** Deltas carried by `chunk` (tool calls are held until `finish_reason` or `end()`). */
  push(chunk: ChatChunk): ChatDelta[] {
    const out: ChatDelta[] = [];
    const choice = chunk.choices?.[0];
    if (choice?.delta?.content) out.push({ type: "text", text: choice.delta.content });
    for (const part of choice?.delta?.tool_calls ?? []) {
      const call = this.#calls.get(part.index) ?? { id: "", name: "", arguments: "" };
      if (part.id) call.id = part.id;
      if (part.function?.name) call.name += part.function.name;
      if (part.function?.arguments) call.arguments += part.function.arguments;
      this.#calls.set(part.index, call);
    }
    if (choice?.finish_reason) out.push(...this.#flushCalls());
    if (chunk.usage?.completion_tokens !== undefined) out.push({ type: "usage", completionTokens: chunk.usage.completion_tokens });
    const tool = chunk.voice_agent;
    if (tool?.type === "tool" && typeof tool.name === "string")
      out.push({ type: "server-tool", name: tool.name, running: tool.status === "running" });
    return out;
  }

  /** Tool calls still held when the stream ended without a finish reason. */
  end(): ChatDelta[] {
    return this.#flushCalls();
  }

  #flushCalls(): ChatDelta[] {
    const calls = [...this.#calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ type: "tool-call" as const, ...call }));
    this.#calls.clear();
    return calls;
  }
}
