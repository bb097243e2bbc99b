import { Hono } from "hono";
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
 */
export function createSessionEventsRoute(recorder: SessionRecorder, turns: HeldTurns, revocations: SessionRevocations): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(PATHS.sessionEvents, async (c) => {
    const { reports, sentAt } = await readJson(c, SessionReportRequestSchema);
    const { sid, end } = c.get("session");
    for (const report of reports) if (report.type === "turn-committed") await turns.commit(sid, report.turnId);
    if (reports.some((report) => report.type === "end")) await revocations.revoke([sid], end * 1000);
    await recorder.report(sid, { reports, ...(sentAt === undefined ? {} : { sentAt }), greeting: c.get("agent").greeting });
    return c.json({ accepted: reports.length }, 202);
  });
}
