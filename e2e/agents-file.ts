/** Agents files for the e2e relays, derived from the relay's example `agents.json`. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { E2E } from "./stack-ports.ts";

/** An agent as far as the suite changes it. */
interface Agent {
  id: string;
  allowedOrigins: string[];
  limits?: Record<string, number>;
  tts: { speed: number };
  realtime: { turnDetection: Record<string, unknown> | null; webrtc?: "relay" | "direct" };
  analysis?: unknown;
}

/**
 * Writes an agents file: the example `demo` agent allowed on `origins`, plus `locked`, the same agent
 * allowed only on `lockedOrigins` (default: a site the suite never serves), `slow`, the demo agent
 * speaking at half speed (its replies last long enough to be talked over), and `limited`, the demo agent
 * with `limitedRequestsPerMinute` (default 60), and `vad`, the demo agent whose realtime turns the provider
 * detects (server VAD, the widget's 700 ms silence timeout), `brief`, the demo agent whose sessions last
 * 20 s (`limits.maxSessionSeconds`: the relay hangs up a WebRTC call at its session's end), `idling`, the `vad`
 * agent whose sessions idle out after 5 s (`limits.idleTimeoutSeconds`, the relay's least: a WebRTC call with
 * no event that long is hung up; the provider's turn detection sends events while the visitor speaks), and
 * `owner`, the demo agent with what a site owner
 * configures on the server: a server tool `spoke` (the stand-in calls it for any spoken turn: its transcript
 * says "I spoke for …") on the owner's API at `E2E.ownerApiPort`, a post-session analysis and, with
 * `ownerWebhooks` (the environment variable the relay gets `E2E.ownerWebhookSecret` in), webhooks for both
 * events to the owner's receiver at `E2E.ownerHooksPort`, and `direct` and `slow-direct`, the demo and `slow`
 * agents whose WebRTC calls the widget starts with an ephemeral key (`realtime.webrtc: "direct"`). Returns its path; writing again to `file` replaces it
 * (the relay reads it at start).
 */
export async function writeAgentsFile(options: {
  origins: string[];
  lockedOrigins?: string[];
  limitedRequestsPerMinute?: number;
  file?: string;
  ownerWebhooks?: { secretEnv: string };
}): Promise<string> {
  const example = JSON.parse(await readFile(new URL("../relay/agents.json", import.meta.url), "utf8")) as { agents: Agent[] };
  const demo = example.agents.find((a) => a.id === "demo")!;
  demo.allowedOrigins = options.origins;
  // Only `owner` analyses its sessions (the analyst's requests would add to other tests' stand-in logs).
  delete demo.analysis;
  const locked = { ...structuredClone(demo), id: "locked", allowedOrigins: options.lockedOrigins ?? ["https://shop.example"] };
  const slow = { ...structuredClone(demo), id: "slow", tts: { ...demo.tts, speed: 0.5 } };
  const file = options.file ?? join(await mkdtemp(join(tmpdir(), "voice-agent-e2e-")), "agents.json");
  const limited = {
    ...structuredClone(demo),
    id: "limited",
    limits: { ...demo.limits, requestsPerMinute: options.limitedRequestsPerMinute ?? 60 },
  };
  const vad = {
    ...structuredClone(demo),
    id: "vad",
    realtime: { ...demo.realtime, turnDetection: { type: "server_vad", silence_duration_ms: 700 } },
  };
  const brief = { ...structuredClone(demo), id: "brief", limits: { ...demo.limits, maxSessionSeconds: 20 } };
  const idling = { ...structuredClone(vad), id: "idling", limits: { ...demo.limits, idleTimeoutSeconds: 5 } };
  const ownerApi = `127.0.0.1:${E2E.ownerApiPort}`;
  const ownerHooks = `127.0.0.1:${E2E.ownerHooksPort}`;
  const webhooks = options.ownerWebhooks && {
    secret: { env: options.ownerWebhooks.secretEnv },
    endpoints: [{ url: `http://${ownerHooks}/hooks`, events: ["session.ended", "analysis.completed"] }],
  };
  const owner = {
    ...structuredClone(demo),
    id: "owner",
    toolHosts: [ownerApi, ownerHooks],
    tools: [
      { name: "spoke", description: "Looks up the visitor's order.", runs: "server", http: { url: `http://${ownerApi}/orders/lookup` } },
    ],
    analysis: {
      model: "analyst",
      questions: [{ id: "said", question: "What did the visitor say?" }],
      rubric: [{ id: "helpfulness", criterion: "Did the agent help?" }],
    },
    ...(webhooks ? { webhooks } : {}),
  };
  const direct = (agent: Agent, id: string) => ({ ...structuredClone(agent), id, realtime: { ...agent.realtime, webrtc: "direct" } });
  const agents = [demo, locked, slow, limited, vad, brief, idling, owner, direct(demo, "direct"), direct(slow, "slow-direct")];
  await writeFile(file, JSON.stringify({ agents }));
  return file;
}

/** A fresh SQLite records database in a temporary folder, as a `DATABASE_URL`. */
export async function tempDatabaseUrl(): Promise<string> {
  return `file:${join(await mkdtemp(join(tmpdir(), "voice-agent-e2e-db-")), "records.sqlite")}`;
}
