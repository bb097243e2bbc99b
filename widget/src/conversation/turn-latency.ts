import type { SessionReport, TurnLatency } from "@voice-agent/relay/protocol";
import type { TurnMetrics } from "../events.ts";
import type { ActiveReply } from "./reply-stream.ts";

/** The widget-measured keys of {@link TurnLatency}, the ones a `turn-latency` report carries. */
const REPORTED = ["sttMs", "llmFirstTokenMs", "llmTotalMs", "ttsFirstByteMs", "turnMs"] as const satisfies readonly (keyof TurnLatency)[];

/**
 * The `turn-latency` report of a finished turn: its turn id, the reply's record id when the relay gave
 * one (the record the latencies are patched onto), and the measured latencies in whole ms.
 */
export function turnLatencyReport(reply: Pick<ActiveReply, "turnId" | "recordId">, metrics: TurnMetrics): SessionReport {
  const latency: TurnLatency = {};
  for (const key of REPORTED) if (metrics[key] !== undefined) latency[key] = Math.round(metrics[key]);
  return { type: "turn-latency", turnId: reply.turnId, ...(reply.recordId ? { messageId: reply.recordId } : {}), latency };
}
