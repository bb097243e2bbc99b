import type OpenAI from "openai";
import type { AgentConfig } from "../agent-config.ts";
import type { RelayLog } from "../relay-log.ts";
import type { AnalysisOutcome, RecordOp } from "../records/record-op.ts";
import type { SessionStore } from "../records/session-store.ts";
import type { AnalysisCompletedData } from "../webhooks/webhook-event.ts";
import { webhookOps } from "../webhooks/webhook-ops.ts";
import type { AnalysisConfig } from "./analysis-config.ts";
import { analysisJsonSchema } from "./analysis-schema.ts";
import { AnalysisError, analyzeSession } from "./analyze-session.ts";

const HOUR_MS = 3_600_000;

/** Settings of the analysis worker; times in ms. */
export interface AnalysisWorkerOptions {
  store: SessionStore;
  agents: readonly AgentConfig[];
  /** Client of the LLM stage's upstream. */
  client: OpenAI;
  log: RelayLog;
  /** How often due analyses are claimed. Default 5000. */
  pollMs?: number;
  /** How long after its end a session waits (its last records are still queued). Default 5000. */
  settleMs?: number;
  /** First retry's delay, doubling per attempt up to an hour. Default 30000. */
  retryBaseMs?: number;
  /** Attempts before an analysis is `failed`. Default 8 (about two hours of retries). */
  maxAttempts?: number;
  now?: () => number;
}

/** A running analysis worker. */
export interface AnalysisWorker {
  /** Claims and runs every due analysis once; returns how many it ran. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the attempt in progress. */
  stop(): Promise<void>;
}

/**
 * Analyses ended sessions in the background, never on a request path: every `pollMs` it claims the due
 * sessions of agents with `analysis` (ended in the last 24 h, a claim leased so that another instance
 * leaves them alone), asks the analyst model ({@link analyzeSession}) and stores the outcome: the result
 * with its token usage, a retry with backoff, a final failure after `maxAttempts`, or a skip when the
 * visitor never spoke; a stored result is announced to the agent's `analysis.completed` webhooks in the
 * same batch. A worker that dies mid-attempt leaves a lease that runs out and is claimed again.
 */
export function startAnalysisWorker(options: AnalysisWorkerOptions): AnalysisWorker {
  const { store, client, log, pollMs = 5000, settleMs = 5000, retryBaseMs = 30_000, maxAttempts = 8, now = Date.now } = options;
  const configs = new Map<string, { agent: AgentConfig; config: AnalysisConfig; schema: Record<string, unknown> }>();
  for (const agent of options.agents)
    if (agent.analysis) configs.set(agent.id, { agent, config: agent.analysis, schema: analysisJsonSchema(agent.analysis) });
  const agents = [...configs.keys()];

  async function attempt(sessionId: string, attemptNo: number): Promise<RecordOp[]> {
    const detail = await store.getSession(sessionId);
    const analysis = detail && configs.get(detail.session.agent);
    if (!detail || !analysis) return [];
    const outcome = async (): Promise<AnalysisOutcome> => {
      if (!detail.messages.some((m) => m.role === "user" && m.text.trim() !== ""))
        return { status: "skipped", at: now(), reason: "no_visitor_turns" };
      try {
        const answer = await analyzeSession(detail, analysis.config, analysis.schema, client);
        log({
          level: "info",
          msg: "analysis: done",
          sessionId,
          promptTokens: answer.usage.promptTokens,
          completionTokens: answer.usage.completionTokens,
        });
        return { status: "done", at: now(), ...answer };
      } catch (err) {
        if (!(err instanceof AnalysisError)) throw err;
        const error = `${err.code}: ${err.message}`.slice(0, 500);
        log({ level: "warn", msg: "analysis: attempt failed", sessionId, attempt: attemptNo, error });
        if (attemptNo >= maxAttempts) return { status: "failed", at: now(), error };
        return { status: "pending", error, nextAt: now() + Math.min(HOUR_MS, retryBaseMs * 2 ** (attemptNo - 1)) };
      }
    };
    const result = await outcome();
    const ops: RecordOp[] = [{ op: "set-analysis", sessionId, outcome: result }];
    if (result.status !== "done") return ops;
    // Announced in the same batch as the analysis: both are committed, or neither.
    const { agent } = analysis;
    const data: AnalysisCompletedData = {
      sessionId,
      agent: agent.id,
      result: result.result,
      model: result.model,
      usage: result.usage,
      completedAt: result.at,
    };
    return [...ops, ...webhookOps(agent, { event: "analysis.completed", key: sessionId, sessionId, at: result.at, data })];
  }

  async function runOnce(): Promise<number> {
    if (agents.length === 0) return 0;
    const at = now();
    const claimed = await store.claimAnalyses({
      agents,
      now: at,
      endedAfter: at - 24 * HOUR_MS,
      endedBefore: at - settleMs,
      leaseMs: 2 * 60_000,
      limit: 4,
    });
    for (const { sessionId, attempt: attemptNo } of claimed) await store.apply(await attempt(sessionId, attemptNo));
    return claimed.length;
  }

  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = runOnce()
      .catch((err: unknown) => log({ level: "error", msg: "analysis: run failed", error: (err as Error).message }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs).unref();
      });
  };
  if (agents.length > 0) timer = setTimeout(tick, pollMs).unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
