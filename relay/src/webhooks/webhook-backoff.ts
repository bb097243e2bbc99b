/** How retries are spaced. */
export interface WebhookRetryPolicy {
  /** Delay after the first failed attempt (ms), doubling after each; `WEBHOOK_BACKOFF_MS`, default 5000. */
  backoffBaseMs: number;
  /** Longest delay between attempts (ms); default 1 h. */
  backoffMaxMs: number;
  /** How long after its creation a delivery is retried (ms); default 24 h. */
  retryForMs: number;
}

/** The default {@link WebhookRetryPolicy}: 5 s doubling, at most 1 h apart, for 24 h (about 30 attempts). */
export const DEFAULT_RETRY_POLICY: WebhookRetryPolicy = { backoffBaseMs: 5000, backoffMaxMs: 3_600_000, retryForMs: 86_400_000 };

/**
 * When to try again after `failedAttempts` failed attempts (≥ 1), at `now`: `backoffBaseMs · 2^(n−1)`,
 * capped at `backoffMaxMs`, ±20 % jitter (so that deliveries failing together spread out), and never
 * after the retry window ends, whose end gets a last attempt; `failed` once that attempt has failed.
 *
 * @param random - a number in [0, 1), default `Math.random()`
 */
export function nextAttemptAt(
  failedAttempts: number,
  createdAt: number,
  now: number,
  policy: WebhookRetryPolicy,
  random = Math.random(),
): number | "failed" {
  const deadline = createdAt + policy.retryForMs;
  if (now >= deadline) return "failed";
  const delay = Math.min(policy.backoffBaseMs * 2 ** Math.min(failedAttempts - 1, 40), policy.backoffMaxMs);
  return Math.min(now + Math.round(delay * (0.8 + 0.4 * random)), deadline);
}
