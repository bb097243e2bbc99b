import type { UpstreamEndpoint } from "./upstreams.ts";

/** A readiness check: resolves when its dependency is usable, rejects with a reason otherwise. */
export type ReadinessCheck = () => Promise<void>;

/**
 * A readiness check of one upstream: `GET <baseURL>/models` with its key must get an HTTP answer below
 * 500 within `timeoutMs` (a 404 from a server without that route still proves it is reachable), other
 * than 401 or 403 (the upstream refuses the key, so every request of that stage would fail).
 */
export function upstreamProbe(endpoint: UpstreamEndpoint, timeoutMs = 2000): ReadinessCheck {
  return async () => {
    const res = await fetch(`${endpoint.baseURL}/models`, {
      headers: { authorization: `Bearer ${endpoint.apiKey}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    if (res.status >= 500 || res.status === 401 || res.status === 403) throw new Error(`answered HTTP ${res.status}`);
  };
}
