import { Hono } from "hono";
import type { ForgetVisitorResponse } from "../protocol.ts";
import { FORGET_VISITOR_PATH } from "../protocol.ts";
import type { SessionRecorder } from "../records/session-recorder.ts";
import type { SessionStore } from "../records/session-store.ts";
import type { RelayEnv } from "../relay-env.ts";

/**
 * `DELETE /v1/visitor` (relay token), "forget me": deletes every session of the token's visitor (all
 * sessions created with the same `visitorId`; only the token's session when it had none), with their
 * messages and events. Queued writes are committed first so none of them survives the delete.
 */
export function createForgetVisitorRoute(store: SessionStore, recorder: SessionRecorder): Hono<RelayEnv> {
  return new Hono<RelayEnv>().delete(FORGET_VISITOR_PATH, async (c) => {
    await recorder.flush();
    const deletedSessions = await store.deleteSessions({ visitorOf: c.get("session").sid });
    const body: ForgetVisitorResponse = { deletedSessions };
    c.header("cache-control", "no-store");
    return c.json(body);
  });
}
