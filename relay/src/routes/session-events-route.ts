import { Hono } from "hono";
import { z } from "zod";
import { PATHS, TURN_ID_PATTERN } from "../protocol.ts";
import { readJson } from "../read-json.ts";
import type { SessionRecorder } from "../records/session-recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { SessionRevocations } from "../session-revocations.ts";

const ms = z.number().min(0).max(3_600_000);
const at = z.number().int().positive().optional();
const turnId = z.string().regex(TURN_ID_PATTERN).optional();
const SessionReportSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("start"), at, sampleRate: z.int().min(8000).max(384_000).optional(), language: z.string().max(35).optional() }),
  z.strictObject({ type: z.literal("greeting"), at }),
  z.strictObject({ type: z.literal("state"), at, state: z.string().regex(/^[a-z][a-z-]{0,31}$/) }),
  z.strictObject({ type: z.literal("interruption"), at, messageId: z.string().max(64), turnId, heardText: z.string().max(20_000), playedMs: ms.optional() }),
  z.strictObject({
    type: z.literal("turn-latency"),
    at,
    messageId: z.string().max(64).optional(),
    turnId,
    latency: z.strictObject({ sttMs: ms.optional(), llmFirstTokenMs: ms.optional(), llmTotalMs: ms.optional(), ttsFirstByteMs: ms.optional(), turnMs: ms.optional() }),
  }),
  z.strictObject({ type: z.literal("error"), at, code: z.string().max(64), message: z.string().max(500).optional() }),
  z.strictObject({ type: z.literal("end"), at, reason: z.enum(["hangup", "unload", "error"]) }),
]);
const SessionReportRequestSchema = z.strictObject({ reports: z.array(SessionReportSchema).min(1).max(50), sentAt: at });

/**
 * `POST /v1/session-events` (relay token): what only the widget knows — session start with audio info,
 * state changes, interruptions with the heard text, per-turn latencies, errors and the session end.
 * Committed before the answer, 202 `{ accepted }`, so a report the widget saw accepted survives a crash of
 * the relay. A report can only touch the token's own session. An `end` report revokes the session in
 * `revocations` (until its end) before it is recorded: the token is refused from then on.
 */
export function createSessionEventsRoute(recorder: SessionRecorder, revocations: SessionRevocations): Hono<RelayEnv> {
  return new Hono<RelayEnv>().post(PATHS.sessionEvents, async (c) => {
    const { reports, sentAt } = await readJson(c, SessionReportRequestSchema);
    const { sid, end } = c.get("session");
    if (reports.some((report) => report.type === "end")) await revocations.revoke([sid], end * 1000);
    await recorder.report(sid, { reports, ...(sentAt === undefined ? {} : { sentAt }), greeting: c.get("agent").greeting });
    return c.json({ accepted: reports.length }, 202);
  });
}
