/**
 * Starts the suite's shared stack once: stand-in, relay (records in a temporary SQLite file, admin API
 * on), demo page, and the strict-CSP host site on another origin. The returned function stops them.
 */
import { startStack } from "../scripts/stack.ts";
import { tempDatabaseUrl, writeAgentsFile } from "./agents-file.ts";
import { startHostServer } from "./host-server.ts";
import { E2E } from "./stack-ports.ts";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await startStack({
    relayPort: E2E.relayPort,
    demoPort: E2E.demoPort,
    standinPort: E2E.standinPort,
    offline: true,
    agentsFile: await writeAgentsFile({ origins: [E2E.demoUrl, E2E.embedUrl], ownerWebhooks: { secretEnv: "OWNER_WEBHOOK_SECRET" } }),
    relayEnv: {
      ADMIN_TOKEN: E2E.adminToken,
      DATABASE_URL: await tempDatabaseUrl(),
      SESSIONS_PER_IP_PER_MINUTE: "1000",
      RECORDS_FLUSH_MS: "50",
      // The `owner` agent's analyses: claimed half a second after a session ends.
      ANALYSIS_POLL_MS: "250",
      ANALYSIS_SETTLE_MS: "500",
      OWNER_WEBHOOK_SECRET: E2E.ownerWebhookSecret,
      WEBHOOK_POLL_MS: "200",
    },
    output: process.env.E2E_VERBOSE ? "inherit" : "quiet",
  });
  const embed = await startHostServer({ port: E2E.embedPort, hostname: "localhost", relayUrl: E2E.relayUrl });
  return async () => {
    await embed.close();
    await stack.stop();
  };
}
