import type { RecordedMessage } from "./recorded-request.ts";

/** Longest echo of the user's words in a chat reply, in words. */
const MAX_ECHO_WORDS = 20;

/**
 * The stand-in's "transcript": it cannot recognise speech, so it reports the audio's duration
 * to 0.1 s, e.g. `I spoke for 1.5 seconds.`
 */
export function transcriptFor(durationMs: number): string {
  return `I spoke for ${(durationMs / 1000).toFixed(1)} seconds.`;
}

/**
 * The stand-in's chat reply: one fixed sentence plus an echo of the last user message (at most
 * {@link MAX_ECHO_WORDS} words). Nothing from system or assistant messages is repeated.
 */
export function chatReplyFor(messages: readonly RecordedMessage[]): string {
  const lastUser = messages.findLast((message) => message.role === "user");
  const words = (lastUser ? textOf(lastUser.content) : "").split(/\s+/).filter(Boolean);
  if (words.length === 0) return "This is the offline demo. I did not catch any words.";
  let echo = words.slice(0, MAX_ECHO_WORDS).join(" ");
  if (words.length > MAX_ECHO_WORDS) echo += "…";
  else if (!/[.!?…]$/.test(echo)) echo += ".";
  return `This is the offline demo. You said: ${echo}`;
}

/** The text of a message `content`: a string, or the `text` parts of a content-part array. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) => (typeof part === "object" && part !== null && "text" in part && typeof part.text === "string" ? part.text : ""))
    .join(" ");
}

/** Longest tool result quoted in the reply after a tool message, in characters. */
const MAX_TOOL_QUOTE = 200;

/**
 * The stand-in's tool behaviour: when tools are offered and the last message is the user's and names one
 * of them (as a whole word), the reply is a call of that tool with arguments `{}`. Otherwise undefined.
 */
export function toolCallFor(messages: readonly RecordedMessage[], toolNames: readonly string[]): string | undefined {
  const last = messages.at(-1);
  if (last?.role !== "user") return undefined;
  const words = new Set(textOf(last.content).split(/[^A-Za-z0-9_-]+/));
  return toolNames.find((name) => words.has(name));
}

/** After a tool result (the last message is `tool`), the reply quotes it: `The tool returned: {…}.` */
export function toolResultReply(messages: readonly RecordedMessage[]): string | undefined {
  const last = messages.at(-1);
  if (last?.role !== "tool") return undefined;
  const result = textOf(last.content);
  const quote = result.length > MAX_TOOL_QUOTE ? `${result.slice(0, MAX_TOOL_QUOTE)}…` : result;
  return `The tool returned: ${quote}.`;
}
