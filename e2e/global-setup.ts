/** Starts stand-in + relay + demo once for the suite; the returned function stops them. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startStack } from "../scripts/stack.ts";
import { E2E } from "./stack-ports.ts";

/** The relay's example agents, allowed on the e2e demo's origin. */
async function agentsFile(): Promise<string> {
  const config = JSON.parse(await readFile(new URL("../relay/agents.json", import.meta.url), "utf8")) as { agents: { allowedOrigins: string[] }[] };
  for (const agent of config.agents) agent.allowedOrigins = [E2E.demoUrl];
  const file = join(await mkdtemp(join(tmpdir(), "voice-agent-e2e-")), "agents.json");
  await writeFile(file, JSON.stringify(config));
  return file;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await startStack({
    relayPort: E2E.relayPort,
    demoPort: E2E.demoPort,
    standinPort: E2E.standinPort,
    offline: true,
    agentsFile: await agentsFile(),
    output: process.env.E2E_VERBOSE ? "inherit" : "quiet",
  });
  return () => stack.stop();
}
