import type { AgentConfig } from "./agent-config.ts";
import type { LoadedKnowledge } from "./knowledge/load-knowledge.ts";
import type { RecordsDatabase } from "./records/records-config.ts";
import type { Upstreams } from "./upstreams.ts";
import { loggableBaseURL } from "./upstreams.ts";

/** What {@link startSummary} describes. */
export interface StartFacts {
  production: boolean;
  upstreams: Upstreams;
  database: RecordsDatabase;
  agents: readonly AgentConfig[];
  /** Whether `RELAY_TOKEN_SECRET` was set (else a random one is used for this process). */
  tokenSecretSet: boolean;
  /** Whether an admin token is configured (the records API is then on). */
  adminTokenSet: boolean;
  /** Whether the widget's built files are there to serve. */
  widgetBuilt: boolean;
  /** The agents' knowledge as loaded at start, by agent id; omitted or empty: none. */
  knowledge?: ReadonlyMap<string, LoadedKnowledge>;
}

/**
 * One line that says what the relay runs on (mode, upstream, store, agents and their origins) and what
 * is missing for production, e.g. `development · upstream OFFLINE DEMO at http://127.0.0.1:8790/v1 ·
 * records SQLite data/records.sqlite (one instance) · agents demo (http://localhost:5173) · knowledge
 * demo 3 files, 41 passages, 12 ms · missing for production: RELAY_TOKEN_SECRET, a provider key` (the
 * knowledge part only when an agent has some).
 */
export function startSummary(facts: StartFacts): string {
  const { upstreams, database } = facts;
  const upstream =
    upstreams.kind === "offline-demo"
      ? `upstream OFFLINE DEMO at ${loggableBaseURL(upstreams.llm.baseURL)}`
      : `upstream ${[...new Set([upstreams.stt, upstreams.llm, upstreams.tts].map((u) => loggableBaseURL(u.baseURL)))].join(", ")}`;
  const store = database.kind === "sqlite" ? `records SQLite ${database.path} (one instance)` : "records PostgreSQL (shared by instances)";
  const agents = facts.agents
    .map((a) => `${a.id}${a.enabled ? "" : " (disabled)"} (${a.allowedOrigins.join(", ") || "no origins"})`)
    .join("; ");
  const knowledge = [...(facts.knowledge ?? [])]
    .map(
      ([id, { index, ms }]) =>
        `${id} ${index.files.length} ${index.files.length === 1 ? "file" : "files"}, ${index.size} passages, ${ms} ms`,
    )
    .join("; ");
  const missing = [
    ...(facts.tokenSecretSet ? [] : ["RELAY_TOKEN_SECRET"]),
    ...(facts.adminTokenSet ? [] : ["ADMIN_TOKEN"]),
    ...(upstreams.kind === "offline-demo" ? ["a provider key (OPENAI_API_KEY)"] : []),
    ...(facts.widgetBuilt ? [] : ["the built widget (pnpm build)"]),
  ];
  const ready = missing.length ? `missing for production: ${missing.join(", ")}` : "nothing missing for production";
  return [
    facts.production ? "production" : "development",
    upstream,
    store,
    `agents ${agents}`,
    ...(knowledge ? [`knowledge ${knowledge}`] : []),
    ready,
  ].join(" · ");
}
