import type { AgentConfig } from "./agent-config.ts";
import type { RecordsOptions } from "./records/records-options.ts";
import type { RelayLog } from "./relay-log.ts";
import type { Upstreams } from "./upstreams.ts";

/** Everything `createApp` needs, already resolved and validated (see `resolveRelayConfig`). */
export interface RelayOptions {
  /** Agents from `resolveAgents`. */
  agents: readonly AgentConfig[];
  /** Per-stage upstreams from `resolveUpstreams`. */
  upstreams: Upstreams;
  /** HS256 secret for relay tokens. */
  tokenSecret: string;
  /** Relay token lifetime (ms). */
  tokenTtlMs: number;
  /** Upstream timeout (ms) until response headers; default `DEFAULT_UPSTREAM_TIMEOUT_MS`. */
  upstreamTimeoutMs?: number;
  /** Folder of the built widget served at `/`; omitted serves nothing. */
  widgetDir?: string;
  /** Structured log sink. */
  log: RelayLog;
  /** Session records (store, writer, admin tokens); omitted keeps no records and serves no admin API. */
  records?: RecordsOptions;
  /** Clock, epoch ms; default `Date.now`. Injected by tests to expire tokens. */
  now?: () => number;
}
