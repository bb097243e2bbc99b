import type { MiddlewareHandler } from "hono";
import type { AgentConfig } from "../agent-config.ts";
import type { CreateSessionResponse } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import { CreateSessionSchema } from "../routes/sessions-route.ts";
import type { SessionRecorder } from "./session-recorder.ts";

/**
 * Around `POST /v1/sessions`: once the route answered 201 (it validated the body, including the record
 * fields `visitorId` and `conversationId`), commits the `pending` session before the token reaches the
 * browser.
 */
export function captureSessionCreation(recorder: SessionRecorder, agents: ReadonlyMap<string, AgentConfig>): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    await next();
    if (c.req.method !== "POST" || c.res.status !== 201) return;
    // The route parsed the body already; Hono hands back its cached JSON.
    const { visitorId, conversationId } = CreateSessionSchema.parse(await c.req.json());
    const fields = { ...(visitorId ? { visitorId } : {}), ...(conversationId ? { conversationId } : {}) };
    const body = (await c.res.clone().json()) as CreateSessionResponse;
    const agent = agents.get(body.agent.id);
    if (!agent) return;
    await recorder.sessionCreated({
      id: body.sessionId,
      agent: body.agent.id,
      origin: c.req.header("origin") ?? "",
      mode: "cascade",
      idleTimeoutMs: agent.limits.idleTimeoutSeconds * 1000,
      endsAt: body.sessionEndsAt,
      ...fields,
    });
  };
}
