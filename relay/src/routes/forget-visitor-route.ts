import { Hono } from "hono";
import type { ForgetVisitorResponse } from "../protocol.ts";
import { PATHS } from "../protocol.ts";
import type { SessionRecorder } from "../records/session-recorder.ts";
import type { SessionStore } from "../records/session-store.ts";
import type { RelayEnv } from "../relay-env.ts";

/**
 * `DELETE /v1/visitor` (relay token), "forget me": deletes every session of the token's visitor (all
 * sessions created with the same `visitorId`; only the token's session when it had none), with their
 * messages and events. Queued writes are committed first so none of them survives the delete. Every
 * deleted session, and the token's own, is then passed to `revoke`, so none of them can talk unrecorded.
 */
export function createForgetVisitorRoute(
  store: SessionStore,
  recorder: SessionRecorder,
  revoke: (sessionIds: readonly string[]) => Promise<void>,
): Hono<RelayEnv> {
  return new Hono<RelayEnv>().delete(PATHS.forgetVisitor, async (c) => {
    await recorder.flush();
    const { sid } = c.get("session");
    const deleted = await store.deleteSessions({ visitorOf: sid });
    await revoke(deleted.includes(sid) ? deleted : [...deleted, sid]);
    const body: ForgetVisitorResponse = { deletedSessions: deleted.length };
    c.header("cache-control", "no-store");
    return c.json(body);
  });
}
