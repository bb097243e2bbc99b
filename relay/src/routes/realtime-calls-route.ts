import type { Hono } from "hono";
import type OpenAI from "openai";
import { HttpError } from "../http-error.ts";
import { PATHS } from "../protocol.ts";
import { RealtimeSideband } from "../realtime/realtime-sideband.ts";
import { realtimeSession } from "../realtime/realtime-session.ts";
import type { Recorder } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import { DEFAULT_SERVER_TOOL_LIMITS, type ServerToolLimits } from "../server-tools/run-server-tool.ts";
import type { SessionCoordination } from "../session-coordination.ts";
import type { UpstreamEndpoint } from "../upstreams.ts";
import { stageRoute, type UpstreamStageOptions } from "./upstream-stage.ts";

/** Dependencies of {@link createRealtimeCallsRoute}. */
export interface RealtimeCallsRouteOptions extends UpstreamStageOptions {
  /** Client of the realtime upstream (creates and hangs up calls). */
  client: OpenAI;
  /** The realtime upstream, for the sideband WebSocket. */
  upstream: UpstreamEndpoint;
  recorder: Recorder;
  coordination: SessionCoordination;
  now: () => number;
  env?: Readonly<Record<string, string | undefined>>;
  serverToolLimits?: ServerToolLimits;
}

/** Largest SDP offer accepted, bytes (a browser's audio + data channel offer is 3–6 KB). */
const MAX_SDP_BYTES = 64 * 1024;

async function readOffer(request: Request): Promise<string> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/sdp") throw new HttpError(415, "unsupported_media_type", "Send the SDP offer as application/sdp.");
  const sdp = await request.text();
  if (new TextEncoder().encode(sdp).length > MAX_SDP_BYTES) throw new HttpError(413, "payload_too_large", "The SDP offer is too large.");
  if (!sdp.startsWith("v=0")) throw new HttpError(400, "bad_request", "The body is not an SDP offer (it must start with v=0).");
  return sdp;
}

/**
 * `POST /v1/realtime/calls` (behind `requireSession`; OpenAI's path and shapes): the browser's WebRTC
 * offer (`application/sdp`) goes to the provider with the relay's key and the agent's fixed session; the
 * answer comes back `201 application/sdp` with `Location: /v1/realtime/calls/<call id>`. The relay then
 * holds the call's sideband ({@link RealtimeSideband}): records it, runs server tools, keeps the session
 * the agent's, hangs up at the session's end or idle timeout. 404 `realtime_not_configured` for an agent
 * without `realtime`; 415/413/400 for a bad offer; upstream failures as the other stages.
 */
export function createRealtimeCallsRoute(options: RealtimeCallsRouteOptions): Hono<RelayEnv> {
  const serverTools = { env: options.env ?? process.env, limits: options.serverToolLimits ?? DEFAULT_SERVER_TOOL_LIMITS };
  return stageRoute({ path: PATHS.realtimeCalls, stage: "llm", record: () => undefined }, options, async (c, upstream) => {
    const agent = c.get("agent");
    if (!agent.realtime) throw new HttpError(404, "realtime_not_configured", `Agent "${agent.id}" has no realtime mode.`);
    const sdp = await readOffer(c.req.raw);
    const realtimeAgent = { ...agent, realtime: agent.realtime };
    const session = realtimeSession(realtimeAgent, { serverTools: true });
    const answer = await upstream.call((signal) => options.client.realtime.calls.create({ sdp, session }, { signal }));
    const callId = answer.headers.get("location")?.split("/").filter(Boolean).at(-1);
    if (!callId) throw new HttpError(502, "upstream_error", "The realtime upstream answered without a call id.");
    const answerSdp = await answer.text();
    const s = c.get("session");
    const idleTimeoutMs = agent.limits.idleTimeoutSeconds * 1000;
    const record = options.recorder.realtime({ sessionId: s.sid, turnId: undefined }, agent.realtime.model);
    new RealtimeSideband({
      ...options,
      callId,
      agent: realtimeAgent,
      sessionId: s.sid,
      endsAt: s.end * 1000,
      record,
      idleTimeoutMs,
      serverTools,
      keepAlive: () => {
        options.coordination.touch(s.sid, options.now(), s.end * 1000, idleTimeoutMs);
        record?.active(idleTimeoutMs, s.end * 1000);
      },
      hangup: () => options.client.realtime.calls.hangup(callId),
    });
    return c.body(answerSdp, 201, {
      "content-type": "application/sdp",
      location: `${PATHS.realtimeCalls}/${encodeURIComponent(callId)}`,
      "cache-control": "no-store",
    });
  });
}
