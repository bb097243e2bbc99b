/**
 * The floor of the realtime benchmark: a WebSocket pipe in its own process that forwards every message
 * both ways between its client and the upstream at `UPSTREAM` (ws://), unread: no token, policy, records
 * or limits. What it adds is what an extra loopback hop and a WebSocket frame parse cost here.
 */
import WebSocket, { WebSocketServer } from "ws";

const server = new WebSocketServer({ port: Number(process.env.PORT), host: "127.0.0.1", perMessageDeflate: false });
server.on("connection", (client) => {
  const upstream = new WebSocket(process.env.UPSTREAM!, { perMessageDeflate: false });
  const queued: string[] = [];
  upstream.on("open", () => queued.splice(0).forEach((data) => upstream.send(data)));
  client.on("message", (data) => (upstream.readyState === WebSocket.OPEN ? upstream.send(String(data)) : queued.push(String(data))));
  upstream.on("message", (data) => client.send(String(data)));
  client.on("close", () => upstream.close());
  upstream.on("close", () => client.close());
});
server.on("listening", () => console.log("ready"));
process.once("SIGTERM", () => process.exit(0));
