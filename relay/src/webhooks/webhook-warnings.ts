import { isIP } from "node:net";
import type { AgentConfig } from "../agent-config.ts";
import { classifyAddress } from "../server-tools/address-policy.ts";

/**
 * What an operator should fix in the agents' webhook endpoints, one line each, logged at start: an
 * endpoint whose host is an address (or `localhost`) that is never called, or a loopback, private or
 * link-local one not on the agent's `toolHosts`; its deliveries are refused at every attempt. A name is
 * checked at each attempt only (it may resolve differently then).
 */
export function webhookWarnings(agents: readonly AgentConfig[]): string[] {
  const warnings: string[] = [];
  for (const agent of agents) {
    const hosts = new Set(agent.toolHosts.map((host) => host.toLowerCase()));
    for (const { url } of agent.webhooks?.endpoints ?? []) {
      const { host, hostname } = new URL(url);
      const address = hostname === "localhost" ? "127.0.0.1" : hostname.replace(/^\[(.*)\]$/, "$1");
      if (!isIP(address)) continue;
      const kind = classifyAddress(address);
      const where = `agent ${agent.id}: webhook endpoint ${host}`;
      if (kind === "never") warnings.push(`${where} is an address that is never called, so its deliveries fail`);
      else if (kind === "restricted" && !hosts.has(host))
        warnings.push(`${where} is a loopback, private or link-local address not on the agent's toolHosts, so its deliveries are refused`);
    }
  }
  return warnings;
}
