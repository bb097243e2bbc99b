import { Hono } from "hono";
import { HttpError } from "../http-error.ts";
import { PATHS } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { HeldTurns } from "../records/held-turns.ts";
import type { SessionRecorder } from "../records/session-recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { SessionRevocations } from "../session-revocations.ts";
import { SessionReportRequestSchema } from "../wire-schemas.ts";

/**
 * `POST /v1/session-events` (relay token): what only the widget knows — session start with audio info,
 * state changes, interruptions with the heard text, per-turn latencies, errors and the session end.
 * Committed before the answer, 202 `{ accepted }`, so a report the widget saw accepted survives a crash of
 * the relay. A report can only touch the token's own session. An `end` report revokes the session in
 * `revocations` (until its end) before it is recorded: the token is refused from then on. A
 * `turn-committed` report first writes what `turns` held of the turn, so that the reports after it find it.
 * `message` reports are for agents whose WebRTC calls the widget starts itself (`realtime.webrtc:
 * "direct"`): for any other the relay records the messages, and 400 `bad_request` refuses the batch.
 */
export function createSessionEventsRoute(recorder: SessionRecorder, turns: HeldTurns, revocations: SessionRevocations): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(PATHS.sessionEvents, async (c) => {
    const { reports, sentAt } = await readJson(c, SessionReportRequestSchema);
    const { sid, end } = c.get("session");
    if (c.get("agent").realtime?.webrtc !== "direct" && reports.some((report) => report.type === "message"))
      throw new HttpError(
        400,
        "bad_request",
        "This agent's messages are recorded by the relay: `message` reports are for direct realtime calls.",
      );
    for (const report of reports) if (report.type === "turn-committed") await turns.commit(sid, report.turnId);
    if (reports.some((report) => report.type === "end")) await revocations.revoke([sid], end * 1000);
    await recorder.report(sid, { reports, ...(sentAt === undefined ? {} : { sentAt }), greeting: c.get("agent").greeting });
    return c.json({ accepted: reports.length }, 202);
  });
}
