import type { SessionReport, TurnLatency } from "@voice-agent/relay/protocol";
import type { TurnMetrics } from "../events.ts";

/** The `turn-latency` report of a finished turn, for the reply's record when the relay gave its id. */
export function turnLatencyReport(recordId: string | undefined, metrics: TurnMetrics): SessionReport {
  const latency: TurnLatency = {};
  if (metrics.sttMs !== undefined) latency.sttMs = Math.round(metrics.sttMs);
  if (metrics.llmFirstTokenMs !== undefined) latency.llmFirstTokenMs = Math.round(metrics.llmFirstTokenMs);
  if (metrics.ttsFirstAudioMs !== undefined) latency.ttsFirstByteMs = Math.round(metrics.ttsFirstAudioMs);
  if (metrics.firstAudioMs !== undefined) latency.turnMs = Math.round(metrics.firstAudioMs);
  return { type: "turn-latency", ...(recordId ? { messageId: recordId } : {}), latency };
}
