import type { AgentTool } from "./agent-config.ts";
import { HttpError } from "./http-error.ts";
import type { ChatMessage } from "./protocol.ts";

/**
 * Checks the tool messages against the agent: every tool call names a client tool the agent declares
 * (server tools run on the relay; the page never sees their calls, so it cannot send one back), and every
 * tool result answers a call made earlier in the same conversation.
 *
 * @throws HttpError 400 `bad_request` naming the offending message
 */
export function assertDeclaredTools(messages: readonly ChatMessage[], tools: readonly AgentTool[]): void {
  const declared = new Set(tools.filter((tool) => tool.runs === "client").map((tool) => tool.name));
  const calls = new Set<string>();
  messages.forEach((message, i) => {
    if ("tool_calls" in message) {
      for (const call of message.tool_calls) {
        if (!declared.has(call.function.name)) {
          throw new HttpError(
            400,
            "bad_request",
            `Invalid request body: messages.${i}: the agent has no client tool "${call.function.name}".`,
          );
        }
        calls.add(call.id);
      }
    } else if (message.role === "tool" && !calls.has(message.tool_call_id)) {
      throw new HttpError(400, "bad_request", `Invalid request body: messages.${i}: tool_call_id answers no earlier tool call.`);
    }
  });
}
