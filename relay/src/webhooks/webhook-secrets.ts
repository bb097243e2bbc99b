import type { AgentConfig } from "../agent-config.ts";
import { decodeWebhookSecret, WEBHOOK_SECRET_BYTES } from "./webhook-signature.ts";

/** Each agent's webhook signing key (the secret's bytes), by agent id; never logged or recorded. */
export type WebhookSecrets = ReadonlyMap<string, Buffer>;

/**
 * Reads every agent's webhook secret from the environment variable its `webhooks.secret.env` names.
 *
 * @throws Error naming each agent whose variable is not set or not a `whsec_` secret, and how to make one
 *   (never the value)
 */
export function resolveWebhookSecrets(agents: readonly AgentConfig[], env: Readonly<Record<string, string | undefined>>): WebhookSecrets {
  const secrets = new Map<string, Buffer>();
  const problems: string[] = [];
  const make = `make one with: echo "whsec_$(openssl rand -base64 32)"`;
  for (const agent of agents) {
    if (!agent.webhooks) continue;
    const name = agent.webhooks.secret.env;
    const value = env[name];
    const key = value ? decodeWebhookSecret(value) : undefined;
    if (key) secrets.set(agent.id, key);
    else if (!value) problems.push(`agent ${agent.id}: webhooks.secret: ${name} is not set; ${make}`);
    else
      problems.push(
        `agent ${agent.id}: webhooks.secret: ${name} is not a webhook secret (whsec_ + base64 of ${WEBHOOK_SECRET_BYTES.min}-${WEBHOOK_SECRET_BYTES.max} bytes); ${make}`,
      );
  }
  if (problems.length) throw new Error(problems.length === 1 ? problems[0] : `Invalid webhook secrets:\n- ${problems.join("\n- ")}`);
  return secrets;
}
