/**
 * The relay's side of a WebRTC realtime call (the browser's media and events go to the provider directly):
 * the provider's sideband WebSocket for the call (`/realtime?call_id=`, opened with the provider key) lets
 * the relay record the call, run the agent's server tools, put the agent's session back when the browser's
 * data channel changes what the agent fixes, and hang up at the session's end or after it went idle.
 */
import WebSocket from "ws";
import type { RealtimeRecord } from "../recorder.ts";
import type { RelayLog } from "../relay-log.ts";
import { isServerTool, type ServerToolLimits } from "../server-tools/run-server-tool.ts";
import type { UpstreamEndpoint } from "../upstreams.ts";
import { realtimeUrl } from "./realtime-bridge.ts";
import { IdleWatch } from "./idle-watch.ts";
import { RealtimeServerTools } from "./realtime-server-tools.ts";
import { realtimeSession, type RealtimeAgent } from "./realtime-session.ts";
import { sessionDrift } from "./session-drift.ts";

export interface RealtimeSidebandOptions {
  upstream: UpstreamEndpoint;
  callId: string;
  agent: RealtimeAgent;
  sessionId: string;
  /** The session's end, epoch ms: the call is hung up then. */
  endsAt: number;
  now: () => number;
  /** Aborted when the relay shuts down: the call is hung up. */
  closing: AbortSignal;
  log: RelayLog;
  record: RealtimeRecord | undefined;
  /** A call with no event on its sideband (no speech, turn or reply) this long is hung up (`session_idle`). */
  idleTimeoutMs: number;
  /** Moves the session's idle clock on: called at most every 5 s while the call is active. */
  keepAlive: () => void;
  serverTools: { env: Readonly<Record<string, string | undefined>>; limits: ServerToolLimits };
  /** Ends the call at the provider (`POST /realtime/calls/{id}/hangup`). */
  hangup: () => Promise<void>;
}

export class RealtimeSideband {
  readonly #o: RealtimeSidebandOptions;
  readonly #socket: WebSocket;
  readonly #tools: RealtimeServerTools | undefined;
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #idle: IdleWatch;
  #ended = false;
  #reapplied = 0;

  constructor(options: RealtimeSidebandOptions) {
    this.#o = options;
    this.#idle = new IdleWatch({ ...options, idle: () => this.#end("session_idle") });
    const send = (event: Record<string, unknown>) => {
      if (!this.#ended && this.#socket.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(event));
    };
    const serverTools = options.agent.tools.filter(isServerTool);
    this.#tools = serverTools.length
      ? new RealtimeServerTools({
          tools: serverTools,
          maxToolRounds: options.agent.maxToolRounds,
          context: { toolHosts: options.agent.toolHosts, ...options.serverTools },
          toUpstream: send,
          // The browser's events go to the provider, not through the relay: it sees the tool's answer only.
          toClient: () => {},
          record: options.record,
          log: options.log,
          sessionId: options.sessionId,
        })
      : undefined;
    this.#socket = new WebSocket(realtimeUrl(options.upstream.baseURL, { call_id: options.callId }), {
      headers: { authorization: `Bearer ${options.upstream.apiKey}` },
      perMessageDeflate: false,
    });
    this.#socket.on("message", (data) => this.#fromUpstream(String(data), send));
    this.#socket.on("error", (error) => {
      options.log({ level: "warn", msg: "realtime sideband failed", session: options.sessionId, error: error.message });
      this.#end("upstream_error");
    });
    this.#socket.on("close", () => this.#end("call_ended", false));
    this.#timer = setTimeout(() => this.#end("session_expired"), Math.max(0, options.endsAt - options.now()));
    options.closing.addEventListener("abort", this.#onClosing, { once: true });
    this.#idle.active();
  }

  /** Hangs up (idempotent): the relay no longer wants the call. */
  hangUp(reason: string): void {
    this.#end(reason);
  }

  #fromUpstream(data: string, send: (event: Record<string, unknown>) => void): void {
    if (this.#ended) return;
    const event = JSON.parse(data) as Record<string, unknown>;
    this.#o.record?.upstream(event);
    // A silent call sends nothing: any event (the visitor's speech, a turn, the agent's reply) is activity.
    this.#idle.active();
    if (event.type === "session.updated" || event.type === "session.created") {
      const fixed = realtimeSession(this.#o.agent, { serverTools: true });
      const drift = sessionDrift(fixed, event.session);
      if (drift.length) {
        this.#reapplied++;
        this.#o.log({ level: "warn", msg: "realtime: session put back", session: this.#o.sessionId, fields: drift.join(",") });
        send({ type: "session.update", session: fixed });
      }
    }
    this.#tools?.fromUpstream(event);
  }

  readonly #onClosing = () => this.#end("shutting_down");

  /** Ends the relay's part: hangs up the call (unless the provider ended it) and closes the sideband. */
  #end(reason: string, hangUp = true): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#tools?.close();
    clearTimeout(this.#timer);
    this.#idle.stop();
    this.#o.closing.removeEventListener("abort", this.#onClosing);
    if (hangUp) {
      this.#o
        .hangup()
        .catch((err: unknown) =>
          this.#o.log({ level: "warn", msg: "realtime hangup failed", session: this.#o.sessionId, error: (err as Error).message }),
        );
    }
    if (this.#socket.readyState === WebSocket.CONNECTING) this.#socket.terminate();
    else this.#socket.close(1000);
    this.#o.record?.ended(reason);
    this.#o.log({
      level: "info",
      msg: "realtime call ended",
      session: this.#o.sessionId,
      reason,
      transport: "webrtc",
      reapplied: this.#reapplied,
    });
  }
}
