import type { AgentConfig } from "../agent-config.ts";
import { isServerTool } from "./run-server-tool.ts";

/**
 * What an operator should fix in the agents' server tools, one line each, logged at start: an endpoint
 * whose host is not on the agent's `toolHosts` (the tool loads, and every call of it is refused, the model
 * hearing why) and a header whose environment variable is not set (its calls are not made). Names the
 * agent, the tool, the host or the variable; never a value.
 */
export function serverToolWarnings(agents: readonly AgentConfig[], env: Readonly<Record<string, string | undefined>>): string[] {
  const warnings: string[] = [];
  for (const agent of agents) {
    const hosts = new Set(agent.toolHosts.map((host) => host.toLowerCase()));
    for (const tool of agent.tools.filter(isServerTool)) {
      const { host } = new URL(tool.http.url);
      const where = `agent ${agent.id}: server tool ${tool.name}`;
      if (!hosts.has(host)) warnings.push(`${where}: ${host} is not on the agent's toolHosts, so its calls are refused`);
      for (const [header, { env: name }] of Object.entries(tool.http.headers)) {
        if (!env[name]) warnings.push(`${where}: ${name} (its ${header} header) is not set, so its calls are not made`);
      }
    }
  }
  return warnings;
}
