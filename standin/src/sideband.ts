/**
 * A sideband socket, OpenAI's server-side control of a WebRTC call: `GET /v1/realtime?call_id=…` attaches
 * to the call, receives every server event its data channel gets from then on (not the earlier ones: no
 * `session.created`), and sends client events (`session.update`, `response.create`,
 * `conversation.item.create`, `function_call_output` items, …) into the same conversation. The socket is
 * closed (1000) when the call ends. An unknown call id is refused before the upgrade: 404
 * `call_id_not_found` (see {@link sidebandGuard}).
 */
import type { MiddlewareHandler } from "hono";
import type { WSEvents } from "hono/ws";
import { StandinError } from "./standin-error.ts";
import type { WebRtcCall } from "./webrtc-call.ts";

/** Refuses a `call_id` that names no live call with a 404 JSON error, as OpenAI refuses an unknown one. */
export function sidebandGuard(calls: Map<string, WebRtcCall>): MiddlewareHandler {
  return async (c, next) => {
    const callId = c.req.query("call_id");
    if (callId !== undefined && !calls.has(callId))
      throw new StandinError(404, "call_id_not_found", `No realtime call ${JSON.stringify(callId)} is in progress.`, { param: "call_id" });
    await next();
  };
}

/** The WebSocket events of a sideband attached to `call` (undefined: it ended during the upgrade, so the socket closes). */
export function sideband(call: WebRtcCall | undefined): WSEvents {
  let detach: (() => void) | undefined;
  return {
    onOpen(_event, ws) {
      const sink = { send: (text: string) => ws.send(text), close: () => ws.close(1000, "call ended") };
      if (call) detach = call.attach(sink);
      else sink.close();
    },
    onMessage: (event) => call?.receive(String(event.data)),
    onClose: () => detach?.(),
  };
}
