import type { AgentConfig } from "../agent-config.ts";
import type { RelayLog } from "../relay-log.ts";
import type { PurgeRules, SessionStore } from "./session-store.ts";

const DAY_MS = 86_400_000;
/**
 * How long after a session's lapse the sweep waits before marking it `timeout` (ms): activity is queued
 * for up to one flush window of the record writer, and a request in flight at the lapse still counts.
 */
export const LAPSE_GRACE_MS = 5_000;

/** Settings of the retention purge. */
export interface RetentionPolicy {
  agents: readonly AgentConfig[];
  /** Days kept for agents without `retentionDays`, and for records of agents no longer configured. */
  defaultRetentionDays: number;
}

/**
 * Cutoffs for {@link SessionStore.purge}: each agent keeps its `retentionDays` (else the default).
 * With a `scope` (an agent-scoped admin), only those agents are purged.
 */
export function purgeRules(policy: RetentionPolicy, now: number, scope?: readonly string[]): PurgeRules {
  const byAgent = new Map<string, number>();
  for (const agent of policy.agents) {
    if (scope && !scope.includes(agent.id)) continue;
    byAgent.set(agent.id, now - (agent.retentionDays ?? policy.defaultRetentionDays) * DAY_MS);
  }
  if (scope) for (const id of scope) if (!byAgent.has(id)) byAgent.set(id, now - policy.defaultRetentionDays * DAY_MS);
  return scope ? { byAgent } : { byAgent, otherwise: now - policy.defaultRetentionDays * DAY_MS };
}

/** Marks sessions lapsed for {@link LAPSE_GRACE_MS} `timeout`, then deletes records past retention. */
export async function runRecordsMaintenance(store: SessionStore, policy: RetentionPolicy, now: number, scope?: readonly string[]) {
  const timedOut = await store.markLapsed(now - LAPSE_GRACE_MS);
  const deletedSessions = await store.purge(purgeRules(policy, now, scope));
  return { timedOut, deletedSessions };
}

/** Runs {@link runRecordsMaintenance} now and every `intervalMs`; returns a stop function. */
export function startRecordsMaintenance(store: SessionStore, policy: RetentionPolicy, intervalMs: number, log: RelayLog): () => void {
  const run = () =>
    runRecordsMaintenance(store, policy, Date.now()).then(
      (result) => {
        if (result.timedOut || result.deletedSessions) log({ level: "info", msg: "records: maintenance", ...result });
      },
      (err: unknown) => log({ level: "error", msg: "records: maintenance failed", error: (err as Error).message }),
    );
  void run();
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
