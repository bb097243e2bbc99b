/**
 * One reply of the model: streams the chat deltas into the reply's message and speech, and runs client
 * tools between rounds (up to the agent's `maxToolRounds`, which the relay sends with the session).
 */
import type { ResolvedConfig } from "../config.ts";
import type { TurnMetrics } from "../events.ts";
import type { StoredMessage } from "../history/history-store.ts";
import type { ConversationHost } from "./conversation.ts";
import type { ReplySpeaker } from "./reply-speaker.ts";
import { SentenceSplitter } from "./sentence-splitter.ts";
import { runTool } from "./tool-runner.ts";
import type { CascadeTransport, ChatDelta } from "./transport.ts";

/** A reply in progress: what barge-in, speech and reports need of it. */
export interface ActiveReply {
  replyId: number;
  /** The turn the reply answers: the `x-turn-id` of its requests (for the greeting, an id of its own). */
  turnId: string;
  message: StoredMessage;
  speaker: ReplySpeaker | undefined;
  /** The relay's record id of the reply (its last chat response), for reports. */
  recordId?: string;
  readonly abort: AbortController;
}

/** What {@link streamReply} uses of the conversation. */
export interface ReplyStreamContext {
  readonly host: Pick<ConversationHost, "log" | "apply" | "emit" | "setInterim" | "setWorking">;
  readonly transport: CascadeTransport;
  readonly config: Pick<ResolvedConfig, "contextTurns" | "tools">;
  /** Tool rounds per turn: the agent's, from the session (the relay refuses the model more anyway). */
  readonly maxToolRounds: number;
}

/**
 * Streams the model's reply to the conversation so far (running client tools between rounds), speaking
 * each sentence as it completes; saves the reply and returns its LLM metrics (times in ms). `prefetched`:
 * the first round's deltas when they were asked for already (a speculative reply to the same context).
 */
export async function streamReply(
  reply: ActiveReply,
  { host, transport, config, maxToolRounds }: ReplyStreamContext,
  prefetched?: AsyncIterable<ChatDelta>,
): Promise<TurnMetrics> {
  const { signal } = reply.abort;
  const { message } = reply;
  const log = host.log;
  const utteranceId = message.utteranceId!;
  const metrics: TurnMetrics = { utteranceId, totalMs: 0, interrupted: false, toolCalls: 0 };
  const splitter = new SentenceSplitter();
  for (let round = 0; ; round++) {
    const calls: { id: string; name: string; arguments: string }[] = [];
    const requested = performance.now();
    const deltas = (round === 0 && prefetched) || transport.chat(log.context(config.contextTurns), { turnId: reply.turnId, signal });
    for await (const delta of deltas) {
      if (delta.type === "tool-call") calls.push(delta);
      else if (delta.type === "record") reply.recordId = delta.id;
      else if (delta.type === "usage") message.tokenCount = (message.tokenCount ?? 0) + delta.completionTokens;
      else if (delta.type === "server-tool") host.setWorking(delta.running ? delta.name : undefined);
      else {
        metrics.llmFirstTokenMs ??= performance.now() - requested;
        if (!message.text) host.apply({ type: "reply-start" });
        message.text += delta.text;
        host.setInterim({ role: "assistant", text: message.text });
        for (const sentence of splitter.push(delta.text)) reply.speaker?.say(sentence);
      }
    }
    metrics.llmTotalMs = performance.now() - requested;
    if (calls.length === 0 || round >= maxToolRounds) break;
    metrics.toolCalls += calls.length;
    await log.save(log.draft({ role: "assistant", text: "", utteranceId, toolCalls: calls }));
    for (const call of calls) {
      const { detail, content } = await runTool(config.tools, call, signal);
      signal.throwIfAborted();
      host.emit("va-tool-call", detail);
      await log.save(log.draft({ role: "tool", text: content, toolCallId: call.id, utteranceId }));
    }
  }
  reply.speaker?.say(splitter.flush());
  host.setInterim(undefined);
  host.setWorking(undefined);
  message.latency = { llmFirstTokenMs: metrics.llmFirstTokenMs, llmTotalMs: metrics.llmTotalMs };
  if (message.tokenCount !== undefined) metrics.completionTokens = message.tokenCount;
  if (message.text) {
    await log.save(message);
    host.emit("va-transcript", { role: "assistant", text: message.text, final: true, messageId: message.id });
  }
  return metrics;
}
