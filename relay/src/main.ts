/**
 * Node entry of the relay: resolves the configuration from the environment, loads the agents file and
 * serves the app until SIGTERM/SIGINT. A configuration error (in production, a missing secret) is one
 * message on stderr and exit code 1, before anything is opened.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { AgentConfig } from "./agent-config.ts";
import { resolveAgents } from "./agent-config.ts";
import { loadKnowledge, type LoadedKnowledge } from "./knowledge/load-knowledge.ts";
import { createApp } from "./app.ts";
import { clientIpFrom } from "./client-ip.ts";
import type { RelayConfig } from "./relay-config.ts";
import { resolveRelayConfig } from "./relay-config.ts";
import type { RelayLog } from "./relay-log.ts";
import type { OpenRecords } from "./records/open-records.ts";
import { openRecords } from "./records/open-records.ts";
import type { RecordsConfig } from "./records/records-config.ts";
import { resolveRecordsConfig } from "./records/records-config.ts";
import { serveRelay } from "./serve-relay.ts";
import { startAnalysisWorker } from "./analysis/analysis-worker.ts";
import { createUpstreamClients } from "./upstreams.ts";
import { startSummary } from "./start-summary.ts";
import type { WebhookSecrets } from "./webhooks/webhook-secrets.ts";
import { resolveWebhookSecrets } from "./webhooks/webhook-secrets.ts";

const log: RelayLog = (entry) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};

function loadAgents(file: string): AgentConfig[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`Cannot read the agents file ${file}: create it or point AGENTS_FILE at one (see relay/agents.json).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${basename(file)} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return resolveAgents(json, basename(file));
}

const packageDir = fileURLToPath(new URL("..", import.meta.url));
let config: RelayConfig;
let recordsConfig: RecordsConfig;
let agents: AgentConfig[];
let knowledge: Map<string, LoadedKnowledge>;
let webhookSecrets: WebhookSecrets;
try {
  config = resolveRelayConfig(process.env, packageDir);
  recordsConfig = resolveRecordsConfig(process.env, packageDir);
  agents = loadAgents(config.agentsFile);
  knowledge = loadKnowledge(agents, config.agentsFile);
  webhookSecrets = resolveWebhookSecrets(agents, process.env);
} catch (err) {
  console.error(`relay: ${(err as Error).message}`);
  process.exit(1);
}

let tokenSecret = config.tokenSecret;
if (!tokenSecret) {
  tokenSecret = randomBytes(32).toString("hex");
  // Development only: in production resolveRelayConfig refuses a missing secret.
  log({
    level: "warn",
    msg: "RELAY_TOKEN_SECRET is not set: using a random secret for this process; tokens will not survive a restart or work across instances (required with NODE_ENV=production)",
  });
}
const widgetDir = existsSync(config.widgetDir) ? config.widgetDir : undefined;
if (!widgetDir)
  log({ level: "warn", msg: `widget is not built: ${config.widgetDir} does not exist, so /voice-agent.js is not served (run pnpm build)` });

let records: OpenRecords;
try {
  records = await openRecords(recordsConfig, agents, log, webhookSecrets);
} catch (err) {
  console.error(`relay: records: ${(err as Error).message}`);
  process.exit(1);
}

const closing = new AbortController();
const app = createApp({
  agents,
  upstreams: config.upstreams,
  tokenSecret,
  tokenTtlMs: config.tokenTtlMs,
  streamIdleMs: config.streamIdleMs,
  sessionsPerIpPerMinute: config.sessionsPerIpPerMinute,
  clientIp: clientIpFrom(config.trustedProxyHops),
  closing: closing.signal,
  widgetDir,
  log,
  records: records.options,
  coordination: records.coordination,
  knowledge: new Map([...knowledge].map(([id, { index }]) => [id, index])),
});
log({
  level: "info",
  msg: startSummary({
    production: config.production,
    upstreams: config.upstreams,
    database: recordsConfig.database,
    agents,
    tokenSecretSet: config.tokenSecret !== undefined,
    adminTokenSet: recordsConfig.adminTokens.length > 0,
    widgetBuilt: widgetDir !== undefined,
    knowledge,
  }),
});
const server = await serveRelay(app, { port: config.port, hostname: config.host, log, closing });
// Analyses run beside the requests, on their own client: an analyst's answer may take longer than a turn's.
const analysis = startAnalysisWorker({
  store: records.options.store,
  agents,
  client: createUpstreamClients(config.upstreams, 120_000).llm,
  log,
  ...recordsConfig.analysis,
});

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log({ level: "info", msg: `${signal}: draining open streams, then exiting` });
  await server.close();
  await analysis.stop();
  // Queued records are committed before the process exits.
  await records.close().catch((err: unknown) => log({ level: "error", msg: "records: close failed", error: String(err) }));
  process.exit(0);
}
// A repeated signal must find a handler, or its default action kills the process mid-drain: Ctrl-C
// under pnpm arrives twice (the terminal signals the process group, and pnpm forwards its own SIGINT).
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
console.log(`relay listening on ${server.url}`);
