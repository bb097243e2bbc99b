/** For tests of realtime WebSockets: every event a socket receives, and a wait for the next one of a type. */
import type WebSocket from "ws";

/** A server event of the realtime protocol, parsed. */
export type RealtimeServerEvent = Record<string, unknown> & { type: string };

/** Collects `ws`'s events from now on; `next(type)` resolves with the next event of `type` to arrive. */
export function realtimeEvents(ws: WebSocket): { events: RealtimeServerEvent[]; next(type: string): Promise<RealtimeServerEvent> } {
  const events: RealtimeServerEvent[] = [];
  const waiters: { type: string; resolve: (event: RealtimeServerEvent) => void }[] = [];
  ws.on("message", (data) => {
    const event = JSON.parse(String(data)) as RealtimeServerEvent;
    events.push(event);
    const i = waiters.findIndex((w) => w.type === event.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(event);
  });
  return { events, next: (type) => new Promise((resolve) => waiters.push({ type, resolve })) };
}
