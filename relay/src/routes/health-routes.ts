import { Hono } from "hono";
import { PATHS } from "../protocol.ts";
import { HttpError } from "../http-error.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import type { ReadinessCheck } from "../upstream-probe.ts";

/** Dependencies of {@link createHealthRoutes}. */
export interface HealthRoutesOptions {
  /** Named checks run by `/readyz`, e.g. `llm` (upstream reachable) or `store`. */
  checks: Readonly<Record<string, ReadinessCheck>>;
  /** Aborted when the relay shuts down; `/readyz` then fails at once. */
  closing: AbortSignal;
  /** How long one `/readyz` result is reused (ms), so the unauthenticated route cannot flood upstreams. */
  cacheMs: number;
  log: RelayLog;
}

/**
 * `GET /healthz` (liveness: the process answers) and `GET /readyz` (readiness: every check passes, else
 * 503 `not_ready` naming the failed checks; never their details, which may contain URLs).
 */
export function createHealthRoutes(options: HealthRoutesOptions): Hono<RelayEnv> {
  let cached: { at: number; failed: Promise<string[]> } | undefined;
  const run = async (): Promise<string[]> => {
    const entries = Object.entries(options.checks);
    const results = await Promise.allSettled(entries.map(([, check]) => check()));
    return entries.flatMap(([name], i) => {
      const result = results[i];
      if (result?.status !== "rejected") return [];
      options.log({ level: "warn", msg: "readiness check failed", check: name, error: String(result.reason) });
      return [name];
    });
  };
  return new Hono<RelayEnv>()
    .get(PATHS.health, (c) => c.json({ ok: true }))
    .get(PATHS.ready, async (c) => {
      if (options.closing.aborted) throw new HttpError(503, "shutting_down", "The relay is shutting down.");
      const now = performance.now();
      if (!cached || now - cached.at > options.cacheMs) cached = { at: now, failed: run() };
      const failed = await cached.failed;
      c.header("cache-control", "no-store");
      if (failed.length > 0) throw new HttpError(503, "not_ready", `Not ready: ${failed.join(", ")} unreachable.`);
      return c.json({ ok: true, checks: Object.keys(options.checks) });
    });
}
