import { z } from "zod";
import type { AgentTool } from "./agent-config.ts";
import { HttpError } from "./http-error.ts";

const refused = (what: string) => z.undefined({ error: `${what} come from the agent configuration and cannot be sent` }).optional();

/** Largest text of one message (characters). */
const MAX_CONTENT = 20_000;
/** Tool call ids as OpenAI and compatible servers issue them (`call_…`), bounded. */
const ToolCallId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a tool call id of 1-64 letters, digits, _ or -");
/** OpenAI's function name rule. */
const ToolName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a function name of 1-64 letters, digits, _ or -");

const TextMessage = z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string().max(MAX_CONTENT) });

/** The model's tool call, echoed back by the widget (OpenAI's shape). */
const ToolCallMessage = z.strictObject({
  role: z.literal("assistant"),
  content: z.string().max(MAX_CONTENT).nullable(),
  tool_calls: z
    .array(
      z.strictObject({
        id: ToolCallId,
        type: z.literal("function"),
        function: z.strictObject({ name: ToolName, arguments: z.string().max(MAX_CONTENT) }),
      }),
    )
    .min(1)
    .max(16),
});

/** The page's result of one tool call (`content` is JSON text). */
const ToolResultMessage = z.strictObject({ role: z.literal("tool"), tool_call_id: ToolCallId, content: z.string().max(MAX_CONTENT) });

/**
 * What the browser may send to `POST /v1/chat/completions`: user/assistant text messages, the assistant's
 * tool calls and the tool results (OpenAI's shapes, bounded), and `stream: true`. `tools`, `tool_choice`
 * and `functions` are refused (400): tool definitions come from the agent configuration only. Model,
 * temperature and other sampling fields are ignored, since the agent decides.
 */
export const ChatRequestSchema = z.object({
  messages: z.array(z.union([TextMessage, ToolCallMessage, ToolResultMessage])).min(1).max(200),
  stream: z.literal(true),
  tools: refused("tools"),
  tool_choice: refused("tools"),
  functions: refused("tools"),
});

/** A validated chat request body. */
export type ChatRequestBody = z.output<typeof ChatRequestSchema>;

/**
 * Checks the tool messages against the agent: every tool call names a tool the agent declares, and every
 * tool result answers a call made earlier in the same conversation.
 *
 * @throws HttpError 400 `bad_request` naming the offending message
 */
export function assertDeclaredTools(messages: ChatRequestBody["messages"], tools: readonly AgentTool[]): void {
  const declared = new Set(tools.map((tool) => tool.name));
  const calls = new Set<string>();
  messages.forEach((message, i) => {
    if ("tool_calls" in message) {
      for (const call of message.tool_calls) {
        if (!declared.has(call.function.name)) {
          throw new HttpError(400, "bad_request", `Invalid request body: messages.${i}: the agent has no tool "${call.function.name}".`);
        }
        calls.add(call.id);
      }
    } else if (message.role === "tool" && !calls.has(message.tool_call_id)) {
      throw new HttpError(400, "bad_request", `Invalid request body: messages.${i}: tool_call_id answers no earlier tool call.`);
    }
  });
}
