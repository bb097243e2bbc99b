import type { Context } from "hono";

/** What a chat request brings that the records do not have yet. */
export interface RequestTurn {
  /** The text of the last message when the visitor wrote it (`role: "user"`, non-blank). */
  typed: string | undefined;
  /** The page's results of the model's last tool calls: the `tool` messages at the end of the request. */
  toolResults: { toolCallId: string; text: string }[];
}

/**
 * Reads a chat request's new turn from the body the route already parsed (`c.req.json()` is cached per
 * request), so call it only once the route has validated the request.
 */
export async function requestTurn(c: Context): Promise<RequestTurn> {
  const body = (await c.req.json().catch(() => undefined)) as { messages?: unknown } | undefined;
  const messages = (Array.isArray(body?.messages) ? body.messages : []) as { role?: unknown; content?: unknown; tool_call_id?: unknown }[];
  const last = messages.at(-1);
  const typed = last?.role === "user" && typeof last.content === "string" && last.content.trim() !== "" ? last.content : undefined;
  const toolResults: RequestTurn["toolResults"] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === "tool"; i--) {
    const { tool_call_id: toolCallId, content } = messages[i]!;
    if (typeof toolCallId === "string" && typeof content === "string") toolResults.unshift({ toolCallId, text: content });
  }
  return { typed, toolResults };
}
