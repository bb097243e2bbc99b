/** Rebuilds the LLM context for the next turn from stored history. */
import type { StoredMessage } from "../history/history-store.ts";
import type { WireMessage } from "./wire.ts";

/**
 * The last `maxTurns` turns of `messages` (a turn starts at a user message; an assistant greeting
 * before the first user message counts with the first turn) as chat messages. Interrupted replies
 * contribute only what the visitor heard; replies of which nothing was heard are left out. Tool calls
 * and results are kept in order.
 */
export function buildContext(messages: readonly StoredMessage[], maxTurns: number): WireMessage[] {
  let start = 0;
  let turns = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role !== "user") continue;
    turns++;
    if (turns > maxTurns) break;
    start = i;
  }
  if (turns <= maxTurns) start = 0;
  const context: WireMessage[] = [];
  for (const message of messages.slice(start)) {
    const wire = toWire(message);
    if (wire) context.push(wire);
  }
  // A context may not begin with a tool result whose call was cut off.
  while (context[0]?.role === "tool") context.shift();
  return context;
}

function toWire(message: StoredMessage): WireMessage | undefined {
  if (message.role === "tool") return { role: "tool", tool_call_id: message.toolCallId ?? "", content: message.text };
  if (message.role === "user") return message.text ? { role: "user", content: message.text } : undefined;
  const text = message.interrupted ? (message.heardText ?? "") : message.text;
  if (message.toolCalls?.length) {
    return {
      role: "assistant",
      content: text || null,
      tool_calls: message.toolCalls.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  }
  return text ? { role: "assistant", content: text } : undefined;
}
