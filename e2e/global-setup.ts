/** Starts stand-in + relay + demo once for the suite; the returned function stops them. */
import { fileURLToPath } from "node:url";
import { startStack } from "../scripts/stack.ts";
import { E2E } from "./stack-ports.ts";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await startStack({
    relayPort: E2E.relayPort,
    demoPort: E2E.demoPort,
    standinPort: E2E.standinPort,
    offline: true,
    agentsFile: fileURLToPath(new URL("agents.e2e.json", import.meta.url)),
    output: process.env.E2E_VERBOSE ? "inherit" : "quiet",
  });
  return () => stack.stop();
}
