import { Hono } from "hono";
import { ADMIN_PATHS } from "../protocol.ts";
import type { Context } from "hono";
import { z } from "zod";
import { HttpError } from "../http-error.ts";
import type { AdminEnv } from "../records/admin-auth.ts";
import { inScope } from "../records/admin-auth.ts";
import type { SessionRecorder } from "../records/session-recorder.ts";
import type { SessionDetail } from "../records/session-record.ts";
import { SESSION_STATUSES } from "../records/session-status.ts";
import type { SessionStore } from "../records/session-store.ts";
import type { WebhookDelivery } from "../records/webhook-outbox.ts";

/** A time as epoch ms or an ISO 8601 date. */
const time = z.string().transform((value, ctx) => {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: "custom", message: "expected epoch ms or an ISO 8601 date" });
    return z.NEVER;
  }
  return ms;
});

const ListQuerySchema = z.object({
  agent: z.string().max(64).optional(),
  status: z.enum(SESSION_STATUSES).optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

async function findInScope(c: Context<AdminEnv>, store: SessionStore): Promise<SessionDetail> {
  const detail = await store.getSession(c.req.param("id") ?? "");
  // Another agent's session answers exactly like a missing one: a scope must not reveal what exists.
  if (!detail || !inScope(c.get("adminAgents"), detail.session.agent)) throw new HttpError(404, "not_found", "No such session.");
  return detail;
}

/** A session with its webhook deliveries (oldest first; a session has a handful at most). */
async function withWebhooks(store: SessionStore, detail: SessionDetail): Promise<SessionDetail & { webhooks: WebhookDelivery[] }> {
  const { webhooks } = await store.listWebhooks({ sessionId: detail.session.id, limit: 500 });
  return { ...detail, webhooks: webhooks.reverse() };
}

/**
 * The admin API over sessions (behind `requireAdmin`):
 * - `GET /admin/sessions?agent=&status=&from=&to=&limit=&cursor=` → `{ sessions, nextCursor }`, newest first
 * - `GET /admin/sessions/:id` → `{ session, messages, events, analysis, webhooks }` (webhooks: its deliveries with their attempts)
 * - `GET /admin/sessions/:id/export` → the same as a JSON download
 * - `DELETE /admin/sessions/:id` → 204; the session is passed to `revoke` (its token is refused from then on)
 * An agent-scoped token sees only its agents' sessions (others are 404, an explicit other `agent` is 403).
 */
export function createAdminSessionsRoute(
  store: SessionStore,
  recorder: SessionRecorder,
  revoke: (sessionIds: readonly string[]) => Promise<void>,
): Hono<AdminEnv> {
  return new Hono<AdminEnv>()
    .get(ADMIN_PATHS.sessions, async (c) => {
      const parsed = ListQuerySchema.safeParse(c.req.query());
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(400, "bad_request", `Invalid query: ${issue?.path.join(".")}: ${issue?.message}`);
      }
      const { agent, status, from, to, limit, cursor } = parsed.data;
      const scope = c.get("adminAgents");
      if (agent !== undefined && !inScope(scope, agent))
        throw new HttpError(403, "forbidden", `This admin token may not read agent "${agent}".`);
      const agents = agent !== undefined ? [agent] : scope;
      try {
        return c.json(await store.listSessions({ agents, status, from, to, limit, cursor }));
      } catch (err) {
        if (err instanceof RangeError) throw new HttpError(400, "bad_request", "Invalid cursor: pass nextCursor from the previous page.");
        throw err;
      }
    })
    .get(ADMIN_PATHS.session, async (c) => c.json(await withWebhooks(store, await findInScope(c, store))))
    .get(ADMIN_PATHS.sessionExport, async (c) => {
      const detail = await withWebhooks(store, await findInScope(c, store));
      c.header("content-disposition", `attachment; filename="session-${detail.session.id}.json"`);
      return c.body(JSON.stringify({ exportedAt: new Date().toISOString(), ...detail }, null, 2), 200, {
        "content-type": "application/json",
      });
    })
    .delete(ADMIN_PATHS.session, async (c) => {
      const { session } = await findInScope(c, store);
      await recorder.flush();
      await store.deleteSessions({ ids: [session.id], agents: [session.agent] });
      await revoke([session.id]);
      return c.body(null, 204);
    });
}
