import { Hono } from "hono";
import { isRecord, readJsonObject } from "./json-body.ts";
import type { RecordedRealtimeSecret } from "./recorded-request.ts";
import type { RouteContext } from "./route-context.ts";
import { StandinError } from "./standin-error.ts";

/**
 * `POST /realtime/client_secrets` (`{ expires_after?: { anchor, seconds }, session? }`). Answers OpenAI's
 * shape `{ value: "ek_…", expires_at, session }` with the session echoed back (plus `object` and `id`).
 * Refuses `seconds` outside OpenAI's 10–7200 and a session whose `type` is not `realtime`. The key is
 * fake, but a WebRTC call posted with it as bearer (`POST /realtime/calls`, `application/sdp`) gets its
 * session; it does not expire.
 */
export function realtimeRoute(context: RouteContext): Hono {
  let counter = 0;
  return new Hono().post("/realtime/client_secrets", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const expiresAfter = isRecord(body["expires_after"]) ? body["expires_after"] : {};
    const seconds = expiresAfter["seconds"] ?? 600;
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 10 || seconds > 7200) {
      throw StandinError.badRequest(
        "invalid_expires_after",
        "`expires_after.seconds` must be an integer from 10 to 7200.",
        "expires_after.seconds",
      );
    }
    const session = isRecord(body["session"]) ? body["session"] : { type: "realtime" };
    if (session["type"] !== "realtime")
      throw StandinError.badRequest("invalid_session_type", 'Expected `session.type: "realtime"`.', "session.type");
    context.record<RecordedRealtimeSecret>({ route: "realtime", time: context.now(), ttlSeconds: seconds, session });
    const id = ++counter;
    const expiresAt = Math.floor(context.now() / 1000) + seconds;
    const value = `ek_standin_${id.toString(16).padStart(8, "0")}`;
    context.clientSecrets.set(value, session);
    return c.json({
      value,
      expires_at: expiresAt,
      session: { ...session, object: "realtime.session", id: `sess_standin_${id}` },
    });
  });
}
