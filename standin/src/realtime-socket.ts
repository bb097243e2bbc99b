/** The realtime WebSocket's side of a call (`GET /v1/realtime?model=…`): JSON events in and out of a {@link RealtimeCall}. */
import type { Context } from "hono";
import type { WSEvents } from "hono/ws";
import type { WebSocket } from "ws";
import type { Fault } from "./fault-injector.ts";
import { isRecord } from "./json-body.ts";
import { RealtimeCall, type Speak } from "./realtime-call.ts";
import type { RecordedRealtimeCall } from "./recorded-request.ts";
import type { RouteContext } from "./route-context.ts";

/** What a socket's call needs from the app. */
export interface RealtimeSocketOptions {
  context: RouteContext;
  speak: Speak;
  /** Takes the next fault armed for a realtime response, if any. */
  fault: () => Fault | undefined;
}

/** The WebSocket events of one call (for `upgradeWebSocket`); the call is recorded when the socket opens. */
export function realtimeSocket(c: Context, { context, speak, fault }: RealtimeSocketOptions): WSEvents {
  const model = c.req.query("model") ?? "gpt-realtime";
  let call: RealtimeCall | undefined;
  return {
    onOpen(_event, ws) {
      const record = context.record<RecordedRealtimeCall>({
        route: "realtime-call",
        transport: "websocket",
        time: context.now(),
        model,
        events: [],
        truncations: [],
        toolOutputs: [],
        session: undefined,
      });
      call = new RealtimeCall({
        model,
        send: (event) => ws.send(JSON.stringify(event)),
        // The `ws` socket under @hono/node-server's context: dropped as a network failure would.
        drop: () => (ws.raw as WebSocket | undefined)?.terminate(),
        speak,
        record,
        fault,
      });
    },
    onMessage(event, ws) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(event.data));
      } catch {
        parsed = undefined;
      }
      if (isRecord(parsed)) call?.receive(parsed);
      else
        ws.send(
          JSON.stringify({
            type: "error",
            error: { type: "invalid_request_error", code: "invalid_json", message: "Expected a JSON event." },
          }),
        );
    },
    onClose: () => call?.close(),
  };
}
