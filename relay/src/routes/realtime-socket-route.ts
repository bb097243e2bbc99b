import { upgradeWebSocket } from "@hono/node-server";
import { Hono } from "hono";
import type WebSocket from "ws";
import { HttpError } from "../http-error.ts";
import { PATHS } from "../protocol.ts";
import { RealtimeBridge, type RealtimeLimits } from "../realtime/realtime-bridge.ts";
import type { Recorder } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { RelayLog } from "../relay-log.ts";
import { DEFAULT_SERVER_TOOL_LIMITS, type ServerToolLimits } from "../server-tools/run-server-tool.ts";
import type { SessionCoordination } from "../session-coordination.ts";
import type { UpstreamEndpoint } from "../upstreams.ts";

/** Dependencies of {@link createRealtimeSocketRoute}. */
export interface RealtimeSocketRouteOptions {
  upstream: UpstreamEndpoint;
  limits: RealtimeLimits;
  recorder: Recorder;
  /** The sessions' idle clocks: a call keeps its session from going idle. */
  coordination: SessionCoordination;
  /** Clock, epoch ms. */
  now: () => number;
  closing: AbortSignal;
  log: RelayLog;
  /** Where server tools' header secrets are read, when they are called; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Bounds of server tool calls; default `DEFAULT_SERVER_TOOL_LIMITS`. */
  serverToolLimits?: ServerToolLimits;
}

/**
 * `GET /v1/realtime` (WebSocket, behind `requireSession`): a realtime call of the session's agent through
 * the relay ({@link RealtimeBridge}): the relay opens the provider's realtime WebSocket with its key and
 * the agent's session, screens the browser's events and ends the call with the session. Served only by
 * `serveRelay` (Node, with its WebSocket server). The agent's server tools run on the relay, as in the
 * cascade (`RealtimeServerTools`). 404 `realtime_not_configured` for an agent without
 * `realtime`; 400 `bad_request` without `Upgrade: websocket`.
 */
export function createRealtimeSocketRoute(options: RealtimeSocketRouteOptions): Hono<RelayEnv> {
  const serverTools = { env: options.env ?? process.env, limits: options.serverToolLimits ?? DEFAULT_SERVER_TOOL_LIMITS };
  return new Hono<RelayEnv>().get(
    PATHS.realtime,
    async (c, next) => {
      const agent = c.get("agent");
      if (!agent.realtime) throw new HttpError(404, "realtime_not_configured", `Agent "${agent.id}" has no realtime mode.`);
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        throw new HttpError(400, "bad_request", `${PATHS.realtime} is a WebSocket: connect with Upgrade: websocket.`);
      }
      await next();
    },
    upgradeWebSocket((c) => {
      const agent = c.get("agent");
      const session = c.get("session");
      let bridge: RealtimeBridge | undefined;
      return {
        onOpen(_event, ws) {
          const realtime = agent.realtime!;
          const idleTimeoutMs = agent.limits.idleTimeoutSeconds * 1000;
          const record = options.recorder.realtime({ sessionId: session.sid, turnId: undefined }, realtime.model);
          bridge = new RealtimeBridge(ws.raw as WebSocket, {
            ...options,
            serverTools,
            record,
            idleTimeoutMs,
            keepAlive: () => {
              options.coordination.touch(session.sid, options.now(), session.end * 1000, idleTimeoutMs);
              record?.active(idleTimeoutMs, session.end * 1000);
            },
            agent: { ...agent, realtime },
            sessionId: session.sid,
            endsAt: session.end * 1000,
          });
        },
        onMessage: (event) => bridge?.fromClient(event.data as string | ArrayBuffer),
        onClose: () => bridge?.clientClosed(),
      };
    }),
  );
}
