/**
 * Chat messages as the widget sends them, including client tool calls and their results (OpenAI's
 * shape). The relay's `ChatMessage` accepts only user/assistant text today; the tool-bearing variants
 * below are the wire shape the relay must accept for client tools (see widget/README.md).
 */
import type { ChatMessage } from "@voice-agent/relay/protocol";

/** An assistant message that asks the page to run tools. */
export interface AssistantToolCallMessage {
  role: "assistant";
  content: string | null;
  tool_calls: { id: string; type: "function"; function: { name: string; arguments: string } }[];
}

/** The result of one client tool call (`content` is JSON text). */
export interface ToolResultMessage {
  role: "tool";
  tool_call_id: string;
  content: string;
}

/** Any message in the `messages` array of a chat request from the widget. */
export type WireMessage = ChatMessage | AssistantToolCallMessage | ToolResultMessage;
