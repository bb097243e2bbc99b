import type { Context } from "hono";
import { CLIENT_GONE_STATUS } from "../error-handler.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { SessionRecorder } from "./session-recorder.ts";

/**
 * Records a failed proxy response (status ≥ 400) as an `error` event of the token's session, or as a
 * `client-gone` event when the client left before the answer (a barge-in aborting a reply).
 */
export async function captureProxyError(c: Context<RelayEnv>, recorder: SessionRecorder, stage: string): Promise<void> {
  const session = c.get("session");
  if (!session) return;
  if (c.res.status === CLIENT_GONE_STATUS) return recorder.event(session.sid, "client-gone", { stage, ...turn(c) });
  const body = (await c.res.clone().json().catch(() => undefined)) as { error?: { code?: string } } | undefined;
  recorder.event(session.sid, "error", { stage, status: c.res.status, code: body?.error?.code ?? "unknown", ...turn(c) });
}

/** The request's turn id as an event payload member, when it has one. */
export function turn(c: Context<RelayEnv>): { turnId?: string } {
  const turnId = c.get("turnId");
  return turnId ? { turnId } : {};
}
