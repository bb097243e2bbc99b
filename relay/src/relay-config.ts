import { resolve } from "node:path";
import { envInteger } from "./env-integer.ts";
import { DEFAULT_SESSIONS_PER_IP_PER_MINUTE, DEFAULT_STREAM_IDLE_MS } from "./relay-options.ts";
import type { Upstreams } from "./upstreams.ts";
import { resolveUpstreams } from "./upstreams.ts";

/** Settings of the Node entry, resolved from the environment by {@link resolveRelayConfig}. */
export interface RelayConfig {
  /** `PORT`, default 8787. */
  port: number;
  /** `HOST`, default 127.0.0.1. */
  host: string;
  /** `AGENTS_FILE` (relative to the working directory), default `<relay package>/agents.json`. */
  agentsFile: string;
  /** `NODE_ENV=production`: secrets must be configured (a missing one is a start error), never generated. */
  production: boolean;
  /** `RELAY_TOKEN_SECRET`; undefined when unset in development (main then generates one per process). */
  tokenSecret: string | undefined;
  /** `TOKEN_TTL_SECONDS` in ms, default 300 s. */
  tokenTtlMs: number;
  /** `WIDGET_DIR` (relative to the working directory), default `<relay package>/../widget/dist`. */
  widgetDir: string;
  /** Per-stage upstreams, see `resolveUpstreams`. */
  upstreams: Upstreams;
  /** `STREAM_IDLE_SECONDS` in ms, default `DEFAULT_STREAM_IDLE_MS`: an upstream silent this long mid-stream is cut. */
  streamIdleMs: number;
  /** `SESSIONS_PER_IP_PER_MINUTE`, default `DEFAULT_SESSIONS_PER_IP_PER_MINUTE`. */
  sessionsPerIpPerMinute: number;
  /** `TRUSTED_PROXY_HOPS`, default 0: reverse proxies in front of the relay whose `X-Forwarded-For` is trusted. */
  trustedProxyHops: number;
}

/** Minimum length of `RELAY_TOKEN_SECRET`, in characters. */
export const MIN_SECRET_LENGTH = 32;

/** Whether `env` selects production mode (`NODE_ENV=production`), where every secret must be configured. */
export function isProduction(env: Record<string, string | undefined>): boolean {
  return env.NODE_ENV === "production";
}

/**
 * Joins a resolver's problems into one error: one line for one problem, a list for several.
 *
 * @param what - e.g. "relay configuration"
 */
export function configError(what: string, problems: readonly string[]): Error {
  return new Error(problems.length === 1 ? `Invalid ${what}: ${problems[0]}` : `Invalid ${what}:\n- ${problems.join("\n- ")}`);
}

/**
 * Resolves the relay's configuration from environment variables (see README for the list). In
 * production (`NODE_ENV=production`) `RELAY_TOKEN_SECRET` is required.
 *
 * @param env - usually `process.env`
 * @param packageDir - absolute path of the relay package, for the default file locations
 * @throws Error listing every invalid variable and what to set instead
 */
export function resolveRelayConfig(env: Record<string, string | undefined>, packageDir: string): RelayConfig {
  const problems: string[] = [];
  const port = envInteger(env, "PORT", 8787, 0, 65_535, problems);
  const ttlSeconds = envInteger(env, "TOKEN_TTL_SECONDS", 300, 10, 86_400, problems);
  const streamIdleSeconds = envInteger(env, "STREAM_IDLE_SECONDS", DEFAULT_STREAM_IDLE_MS / 1000, 1, 600, problems);
  const sessionsPerIpPerMinute = envInteger(env, "SESSIONS_PER_IP_PER_MINUTE", DEFAULT_SESSIONS_PER_IP_PER_MINUTE, 1, 100_000, problems);
  const trustedProxyHops = envInteger(env, "TRUSTED_PROXY_HOPS", 0, 0, 10, problems);
  const production = isProduction(env);
  const tokenSecret = env.RELAY_TOKEN_SECRET || undefined;
  if (tokenSecret === undefined && production) {
    problems.push(
      "RELAY_TOKEN_SECRET is not set: production (NODE_ENV=production) needs one secret shared by every instance; make one with openssl rand -hex 32",
    );
  } else if (tokenSecret !== undefined && tokenSecret.length < MIN_SECRET_LENGTH) {
    problems.push(`RELAY_TOKEN_SECRET must be at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)`);
  }
  let upstreams: Upstreams | undefined;
  try {
    upstreams = resolveUpstreams(env);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length > 0 || !upstreams) throw configError("relay configuration", problems);
  return {
    production,
    port,
    host: env.HOST || "127.0.0.1",
    agentsFile: env.AGENTS_FILE ? resolve(env.AGENTS_FILE) : resolve(packageDir, "agents.json"),
    tokenSecret,
    tokenTtlMs: ttlSeconds * 1000,
    widgetDir: env.WIDGET_DIR ? resolve(env.WIDGET_DIR) : resolve(packageDir, "../widget/dist"),
    upstreams,
    streamIdleMs: streamIdleSeconds * 1000,
    sessionsPerIpPerMinute,
    trustedProxyHops,
  };
}
