/** The browser side of a realtime call through the relay: a WebSocket of OpenAI Realtime events. */
import { PATHS } from "@voice-agent/relay/protocol";
import type { RealtimeChannel, RealtimeEvent, RealtimeHandlers } from "./conversation/transport.ts";
import { WidgetError } from "./widget-error.ts";

/**
 * Opens `GET /v1/realtime` on the relay at `relayUrl` with `token` passed as a browser can (the
 * `Sec-WebSocket-Protocol` entries `realtime` and `openai-insecure-api-key.<token>`, never the URL). Resolves
 * once open; rejects with `relay-unreachable` when the relay cannot be reached, refuses the call or the
 * page's policy blocks it (the browser does not tell which).
 */
export function openRealtimeSocket(relayUrl: string, token: string, handlers: RealtimeHandlers): Promise<RealtimeChannel> {
  const url = new URL(relayUrl + PATHS.realtime);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const failed = (cause?: unknown) =>
    new WidgetError(
      "relay-unreachable",
      `The realtime call to the relay at ${relayUrl} could not be opened: the relay did not answer or refused it, or the page's Content-Security-Policy does not allow ${url.origin} in connect-src.`,
      cause,
    );
  let ws: WebSocket;
  try {
    ws = new WebSocket(url, ["realtime", `openai-insecure-api-key.${token}`]);
  } catch (error) {
    // Browsers that apply the page's policy at construction throw here.
    return Promise.reject(failed(error));
  }
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
      reject(failed());
    };
  });
}
