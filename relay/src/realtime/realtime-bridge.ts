/**
 * One realtime call through the relay: the browser's WebSocket on one side, the provider's realtime
 * WebSocket (opened with the provider key and the agent's fixed session) on the other. Browser events pass
 * {@link screenClientEvent}; refused ones, and the call's end, reach the browser as `error` events in the
 * protocol's shape. Neither side can make the relay hold more than `maxBufferedBytes` for the other. An
 * agent's server tools run on the relay ({@link RealtimeServerTools}), their calls kept from the browser.
 */
import WebSocket from "ws";
import type { RealtimeRecord } from "../recorder.ts";
import type { RelayLog } from "../relay-log.ts";
import { isServerTool, type ServerToolLimits } from "../server-tools/run-server-tool.ts";
import type { UpstreamEndpoint } from "../upstreams.ts";
import { screenClientEvent } from "./client-event-policy.ts";
import { IdleWatch } from "./idle-watch.ts";
import { RealtimeServerTools } from "./realtime-server-tools.ts";
import { realtimeSession, type RealtimeAgent } from "./realtime-session.ts";

/** Bounds of one call. */
export interface RealtimeLimits {
  /** Browser events per minute; more are refused (`rate_limited`) and dropped. */
  eventsPerMinute: number;
  /** Bytes either socket may have waiting to be sent before the call is ended (`1013`). */
  maxBufferedBytes: number;
  /** Browser events kept while the upstream connects; more end the call. */
  maxQueuedEvents: number;
}

export const DEFAULT_REALTIME_LIMITS: RealtimeLimits = { eventsPerMinute: 6000, maxBufferedBytes: 4 << 20, maxQueuedEvents: 500 };

export interface RealtimeBridgeOptions {
  upstream: UpstreamEndpoint;
  agent: RealtimeAgent;
  sessionId: string;
  /** The session's end, epoch ms: the call ends then. */
  endsAt: number;
  now: () => number;
  /** Aborted when the relay shuts down: the call ends (`1012`). */
  closing: AbortSignal;
  log: RelayLog;
  limits: RealtimeLimits;
  /** The call's session record; undefined when records are off. */
  record: RealtimeRecord | undefined;
  /** The agent's idle timeout, ms: a call whose browser sends nothing this long ends (`session_idle`). */
  idleTimeoutMs: number;
  /** Moves the session's idle clock (and its recorded lapse) on: called at most every 5 s while the browser sends. */
  keepAlive: () => void;
  /** Where server tools' header secrets are read, and the bounds of their calls. */
  serverTools: { env: Readonly<Record<string, string | undefined>>; limits: ServerToolLimits };
}

/** Why a call ended, as the browser's last `error` event says (none for the browser's own close). */
type EndCode = "session_expired" | "session_idle" | "shutting_down" | "upstream_error" | "internal";

/**
 * The provider's realtime WebSocket URL under an OpenAI-style base URL (`…/v1`): a new call of `model`, or
 * the sideband of an existing WebRTC call (`call_id`).
 */
export function realtimeUrl(baseURL: string, query: { model: string } | { call_id: string }): string {
  const url = new URL(`${baseURL.replace(/\/+$/, "")}/realtime`);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.href;
}

export class RealtimeBridge {
  readonly #client: WebSocket;
  readonly #upstream: WebSocket;
  readonly #o: RealtimeBridgeOptions;
  readonly #tools: ReadonlySet<string>;
  /** Undefined for an agent without server tools. */
  readonly #serverTools: RealtimeServerTools | undefined;
  readonly #queue: string[] = [];
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #idle: IdleWatch;
  #window = { startedAt: 0, count: 0 };
  #ended = false;
  #ids = 0;
  #counts = { client: 0, upstream: 0, refused: 0 };

  constructor(client: WebSocket, options: RealtimeBridgeOptions) {
    this.#client = client;
    this.#o = options;
    this.#idle = new IdleWatch({ ...options, idle: () => this.#end(1000, "session_idle", "The call was idle too long.") });
    this.#tools = new Set(options.agent.tools.filter((tool) => tool.runs === "client").map((tool) => tool.name));
    const { upstream, agent } = options;
    const serverTools = agent.tools.filter(isServerTool);
    this.#serverTools = serverTools.length
      ? new RealtimeServerTools({
          tools: serverTools,
          maxToolRounds: agent.maxToolRounds,
          context: { toolHosts: agent.toolHosts, ...options.serverTools },
          toUpstream: (event) => {
            if (!this.#ended && this.#upstream.readyState === WebSocket.OPEN) this.#upstream.send(JSON.stringify(event));
          },
          toClient: (event) => this.#sendRelayEvent(event),
          record: options.record,
          log: options.log,
          sessionId: options.sessionId,
        })
      : undefined;
    this.#upstream = new WebSocket(realtimeUrl(upstream.baseURL, { model: agent.realtime.model }), {
      headers: { authorization: `Bearer ${upstream.apiKey}` },
      perMessageDeflate: false,
    });
    this.#upstream.on("open", () => {
      this.#upstream.send(JSON.stringify({ type: "session.update", session: realtimeSession(agent, { serverTools: true }) }));
      for (const data of this.#queue.splice(0)) this.#upstream.send(data);
    });
    this.#upstream.on("message", (data) => this.#fromUpstream(String(data)));
    this.#upstream.on("error", (error) => {
      if (this.#ended) return;
      options.log({ level: "warn", msg: "realtime upstream failed", session: options.sessionId, error: error.message });
      this.#end(1011, "upstream_error", "The realtime upstream could not be reached or failed.");
    });
    this.#upstream.on("close", (code) => this.#end(code === 1000 ? 1000 : 1011, "upstream_error", "The realtime upstream ended the call."));
    this.#timer = setTimeout(
      () => this.#end(1000, "session_expired", "The session has ended."),
      Math.max(0, options.endsAt - options.now()),
    );
    options.closing.addEventListener("abort", this.#onClosing, { once: true });
    if (options.closing.aborted) this.#onClosing();
    this.#idle.active();
  }

  /** One message from the browser. */
  fromClient(data: string | ArrayBuffer): void {
    if (this.#ended) return;
    this.#counts.client++;
    this.#idle.active();
    if (typeof data !== "string") return this.#refuse("invalid_event", "Binary frames are not events: send JSON text.");
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return this.#refuse("invalid_event", "An event must be a JSON object.");
    }
    if (typeof event !== "object" || event === null || Array.isArray(event))
      return this.#refuse("invalid_event", "An event must be a JSON object.");
    const eventId = typeof (event as { event_id?: unknown }).event_id === "string" ? (event as { event_id: string }).event_id : undefined;
    if (!this.#withinBudget()) return this.#refuse("rate_limited", "Too many events this minute.", undefined, eventId);
    const refusal = screenClientEvent(event as Record<string, unknown>, this.#tools, this.#serverTools?.callIds);
    if (refusal) return this.#refuse(refusal.code, refusal.message, refusal.param, eventId);
    if (this.#serverTools?.fromClient(event as Record<string, unknown>) === "handled") return;
    if (this.#upstream.readyState === WebSocket.CONNECTING) {
      if (this.#queue.push(data) > this.#o.limits.maxQueuedEvents) this.#end(1013, "internal", "Too many events before the call opened.");
      return;
    }
    if (this.#upstream.bufferedAmount > this.#o.limits.maxBufferedBytes) {
      return this.#end(1013, "upstream_error", "The realtime upstream is not keeping up.");
    }
    this.#upstream.send(data);
    this.#o.record?.client(event as Record<string, unknown>);
  }

  /** The browser closed its socket: the call ends upstream too. */
  clientClosed(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#cleanUp();
    this.#logEnd("client_closed");
  }

  #fromUpstream(data: string): void {
    if (this.#ended) return;
    this.#counts.upstream++;
    if (this.#client.bufferedAmount > this.#o.limits.maxBufferedBytes) {
      return this.#end(1013, "internal", "The browser is not reading the call's events.");
    }
    const record = this.#o.record;
    const serverTools = this.#serverTools;
    // The agent's instructions stay on the relay: session echoes reach the browser without them.
    if (record || serverTools || data.includes('"session.')) {
      const event = JSON.parse(data) as Record<string, unknown> & { session?: { instructions?: unknown } };
      record?.upstream(event);
      if ((event.type === "session.created" || event.type === "session.updated") && event.session) {
        delete event.session.instructions;
        data = JSON.stringify(event);
      }
      const shown = serverTools ? serverTools.fromUpstream(event) : event;
      if (!shown) return;
      if (shown !== event) data = JSON.stringify(shown);
    }
    this.#client.send(data);
  }

  #withinBudget(): boolean {
    const now = this.#o.now();
    if (now - this.#window.startedAt >= 60_000) this.#window = { startedAt: now, count: 0 };
    return ++this.#window.count <= this.#o.limits.eventsPerMinute;
  }

  #refuse(code: string, message: string, param?: string, eventId?: string): void {
    this.#counts.refused++;
    this.#sendError(code, message, param, eventId);
  }

  #sendError(code: string, message: string, param?: string, eventId?: string): void {
    const error = { type: "invalid_request_error", code, message, ...(param ? { param } : {}), ...(eventId ? { event_id: eventId } : {}) };
    this.#sendRelayEvent({ type: "error", error });
  }

  /** An event of the relay's own to the browser, with an `event_id` of the relay's. */
  #sendRelayEvent(event: Record<string, unknown>): void {
    if (this.#client.readyState === WebSocket.OPEN)
      this.#client.send(JSON.stringify({ type: event.type, event_id: `relay_${++this.#ids}`, ...event }));
  }

  readonly #onClosing = () => this.#end(1012, "shutting_down", "The relay is restarting: reconnect.");

  /** Ends the call: a last `error` event saying why, then both sockets close. */
  #end(closeCode: number, code: EndCode, message: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#sendError(code, message);
    this.#client.close(closeCode, code);
    this.#cleanUp();
    this.#logEnd(code);
  }

  #logEnd(reason: string): void {
    this.#o.record?.ended(reason);
    this.#o.log({ level: "info", msg: "realtime call ended", session: this.#o.sessionId, reason, ...this.#counts });
  }

  #cleanUp(): void {
    this.#serverTools?.close();
    clearTimeout(this.#timer);
    this.#idle.stop();
    this.#o.closing.removeEventListener("abort", this.#onClosing);
    if (this.#upstream.readyState === WebSocket.CONNECTING) this.#upstream.terminate();
    else this.#upstream.close(1000);
  }
}
