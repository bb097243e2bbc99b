import type { AgentConfig } from "./agent-config.ts";
import type { RecordsOptions } from "./records/records-options.ts";
import type { ClientIp } from "./client-ip.ts";
import type { KnowledgeIndex } from "./knowledge/knowledge-index.ts";
import type { RealtimeLimits } from "./realtime/realtime-bridge.ts";
import type { RelayLog } from "./relay-log.ts";
import type { ServerToolLimits } from "./server-tools/run-server-tool.ts";
import type { SessionCoordination } from "./session-coordination.ts";
import type { ReadinessCheck } from "./upstream-probe.ts";
import type { Upstreams } from "./upstreams.ts";

/** Everything `createApp` needs, already resolved and validated (see `resolveRelayConfig`). */
export interface RelayOptions {
  /** Agents from `resolveAgents`. */
  agents: readonly AgentConfig[];
  /** Per-stage upstreams from `resolveUpstreams`. */
  upstreams: Upstreams;
  /** HS256 secret for relay tokens. */
  tokenSecret: string;
  /** Relay token lifetime (ms); tokens never outlive their session (the agent's `limits.maxSessionSeconds`). */
  tokenTtlMs: number;
  /** Upstream timeout (ms) until response headers; default `DEFAULT_UPSTREAM_TIMEOUT_MS`. */
  upstreamTimeoutMs?: number;
  /** Longest silence (ms) of an upstream between stream chunks before the stream is cut; default `DEFAULT_STREAM_IDLE_MS`. */
  streamIdleMs?: number;
  /** Bounds of each realtime call (`GET /v1/realtime`); default `DEFAULT_REALTIME_LIMITS`. */
  realtimeLimits?: RealtimeLimits;
  /** Session creations allowed per client IP per minute; default `DEFAULT_SESSIONS_PER_IP_PER_MINUTE`. */
  sessionsPerIpPerMinute?: number;
  /** How to find a request's client IP; default `clientIpFrom(0)` (the socket's peer). */
  clientIp?: ClientIp;
  /** Extra `/readyz` checks by name (e.g. `store`), run beside the upstream probes. */
  readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /** Abort to drain: new requests get 503 `shutting_down`, open streams end cleanly. */
  closing?: AbortSignal;
  /** Folder of the built widget served at `/`; omitted serves nothing. */
  widgetDir?: string;
  /** Structured log sink. */
  log: RelayLog;
  /**
   * Where request budgets and idle clocks are kept; default `MemorySessionCoordination` (one instance).
   * Several instances share a `PostgresSessionCoordination`. Its owner closes it.
   */
  coordination?: SessionCoordination;
  /** Session records (store, writer, admin tokens); omitted keeps no records and serves no admin API. */
  records?: RecordsOptions;
  /** Where server tools' header secrets are read when they are called; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Bounds of server tool calls; default `DEFAULT_SERVER_TOOL_LIMITS`. */
  serverToolLimits?: ServerToolLimits;
  /**
   * Knowledge indexes by agent id, built at start by `loadKnowledge` (the app reads no files); an agent
   * whose `knowledge` has no index here gets no passages (a warning at start).
   */
  knowledge?: ReadonlyMap<string, KnowledgeIndex>;
  /** Clock, epoch ms; default `Date.now`. Injected by tests to expire tokens. */
  now?: () => number;
}

/** Default of {@link RelayOptions.streamIdleMs}. */
export const DEFAULT_STREAM_IDLE_MS = 15_000;

/** Default of {@link RelayOptions.sessionsPerIpPerMinute}. */
export const DEFAULT_SESSIONS_PER_IP_PER_MINUTE = 20;
