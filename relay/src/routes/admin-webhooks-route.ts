import { Hono } from "hono";
import { z } from "zod";
import { HttpError } from "../http-error.ts";
import { ADMIN_PATHS } from "../protocol.ts";
import type { AdminEnv } from "../records/admin-auth.ts";
import { inScope } from "../records/admin-auth.ts";
import type { WebhookOutbox } from "../records/webhook-outbox.ts";
import { WEBHOOK_STATUSES } from "../records/webhook-outbox.ts";

const ListQuerySchema = z.object({
  agent: z.string().max(64).optional(),
  status: z.enum(WEBHOOK_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/**
 * `GET /admin/webhooks?status=pending|delivered|failed&agent=&limit=&cursor=` (behind `requireAdmin`) →
 * `{ webhooks, nextCursor }`: deliveries newest first, each with its attempts and next attempt. An
 * agent-scoped token sees only its agents' deliveries (an explicit other `agent` is 403).
 */
export function createAdminWebhooksRoute(outbox: WebhookOutbox): Hono<AdminEnv> {
  return new Hono<AdminEnv>().get(ADMIN_PATHS.webhooks, async (c) => {
    const parsed = ListQuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, "bad_request", `Invalid query: ${issue?.path.join(".")}: ${issue?.message}`);
    }
    const { agent, status, limit, cursor } = parsed.data;
    const scope = c.get("adminAgents");
    if (agent !== undefined && !inScope(scope, agent))
      throw new HttpError(403, "forbidden", `This admin token may not read agent "${agent}".`);
    try {
      return c.json(await outbox.listWebhooks({ agents: agent !== undefined ? [agent] : scope, status, limit, cursor }));
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(400, "bad_request", "Invalid cursor: pass nextCursor from the previous page.");
      throw err;
    }
  });
}
