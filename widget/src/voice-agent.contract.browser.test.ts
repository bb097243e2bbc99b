/** The conversation contract for each mode: the same element tests on the cascade and on the realtime call. */
import { relayErrorHandling } from "./relay-error-codes.ts";
import { conversationContract } from "./testing/conversation-contract.ts";
import { WidgetError } from "./widget-error.ts";

conversationContract({
  mode: "cascade",
  transcript: (transport, text) => void transport.transcripts.push(text),
  reply: (transport, text) => void transport.replies.push(text),
  toolReply: (transport, name, args, then) =>
    void transport.replies.push([{ type: "tool-call", id: "call_1", name, arguments: JSON.stringify(args) }], then),
  toolResults: (transport) =>
    transport
      .callsOf("chat")
      .at(-1)!
      .messages.flatMap((message) => (message.role === "tool" ? [String(message.content)] : [])),
  // As the relay client reports a relay error: the widget's code for it, the relay's code with it.
  refuseNextReply: (transport, relayCode) =>
    transport.failNextWith("chat", new WidgetError(relayErrorHandling(relayCode).code, `fake ${relayCode}`, undefined, { relayCode })),
  // Nothing is open between requests: the next one fails.
  dropConnection: (transport) => transport.failNext("chat", "relay-unreachable"),
  utterancesSent: (transport) => transport.callsOf("transcribe").length,
});

conversationContract({
  mode: "realtime",
  transcript: (transport, text) => void transport.transcripts.push(text),
  reply: (transport, text) => void transport.realtimeReplies.push(text),
  toolReply: (transport, name, args, then) => void transport.realtimeReplies.push(`tool:${name} ${JSON.stringify(args)}`, then),
  toolResults: (transport) =>
    transport.realtimeEvents.flatMap((event) => {
      const item = event.item as { type?: string; output?: string } | undefined;
      return item?.type === "function_call_output" ? [String(item.output)] : [];
    }),
  refuseNextReply: (transport, relayCode) => transport.refuseNextRealtimeResponse(relayCode),
  // The call's socket closes as a network drop closes it.
  dropConnection: (transport) => transport.dropRealtime(1006, ""),
  utterancesSent: (transport) => transport.realtimeEvents.filter((event) => event.type === "input_audio_buffer.commit").length,
});
