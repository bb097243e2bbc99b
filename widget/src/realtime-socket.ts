/** The browser side of a realtime call through the relay: a WebSocket of OpenAI Realtime events. */
import { PATHS } from "@voice-agent/relay/protocol";
import type { RealtimeChannel, RealtimeEvent, RealtimeHandlers } from "./conversation/transport.ts";
import { WidgetError } from "./widget-error.ts";

/**
 * Opens `GET /v1/realtime` on the relay at `relayUrl` with `token` passed as a browser can (the
 * `Sec-WebSocket-Protocol` entries `realtime` and `openai-insecure-api-key.<token>`, never the URL). Resolves
 * once open; rejects with `relay-unreachable` when the relay cannot be reached or refuses the call (the
 * browser does not tell which).
 */
export function openRealtimeSocket(relayUrl: string, token: string, handlers: RealtimeHandlers): Promise<RealtimeChannel> {
  const url = new URL(relayUrl + PATHS.realtime);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url, ["realtime", `openai-insecure-api-key.${token}`]);
  return new Promise((resolve, reject) => {
    let [opened, closedByUs] = [false, false];
    ws.onopen = () => {
      opened = true;
      resolve({
        send: (event: RealtimeEvent) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(event)),
        close: () => {
          closedByUs = true;
          ws.close(1000);
        },
      });
    };
    ws.onmessage = (message) => {
      if (typeof message.data === "string") handlers.event(JSON.parse(message.data) as RealtimeEvent);
    };
    ws.onclose = (event) => {
      if (opened && !closedByUs) handlers.closed(event.code, event.reason);
      reject(new WidgetError("relay-unreachable", `The realtime call to the relay at ${relayUrl} could not be opened.`));
    };
  });
}
