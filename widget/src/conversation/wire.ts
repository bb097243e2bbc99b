/**
 * Chat messages as the widget sends them, including client tool calls and their results (OpenAI's
 * shape): the relay's `ChatMessage`, inferred from the schema it validates chat requests with.
 */
import type { ChatMessage } from "@voice-agent/relay/protocol";

/** Any message in the `messages` array of a chat request from the widget. */
export type WireMessage = ChatMessage;

/** An assistant message that asks the page to run tools. */
export type AssistantToolCallMessage = Extract<ChatMessage, { tool_calls: unknown }>;

/** The result of one client tool call (`content` is JSON text). */
export type ToolResultMessage = Extract<ChatMessage, { role: "tool" }>;
