import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { WebSocketServer } from "ws";
import { DEFAULT_DRAIN_BYTES, DEFAULT_DRAIN_MS, drainUnreadBodies } from "./drain-unread-bodies.ts";
import type { ErrorBody } from "./protocol.ts";
import type { RelayEnv } from "./relay-env.ts";
import type { RelayLog } from "./relay-log.ts";

export interface ServeRelayOptions {
  port: number;
  hostname: string;
  log: RelayLog;
  /** The controller whose signal was given to `createApp` as `closing`; aborted by `close()`. */
  closing: AbortController;
  /** How long `close()` lets open streams end before cutting connections (ms); default 5000. */
  graceMs?: number;
  /** Most bytes of a body left unread by an early answer that are read and discarded before closing; default 64 MiB. */
  drainBytes?: number;
  /** Longest time (ms) a body left unread by an early answer is read and discarded before closing; default 5000. */
  drainMs?: number;
}

/** A listening relay. */
export interface RelayServer {
  /** e.g. `http://127.0.0.1:8787`. */
  url: string;
  /**
   * Graceful shutdown: stops accepting connections, aborts `closing` (new requests get 503, open chat
   * streams end with a `shutting_down` event, audio streams end), closes idle keep-alive connections and
   * resolves when every connection is gone, cutting the rest after the grace period.
   */
  close(): Promise<void>;
}

/** Largest WebSocket frame a client may send, bytes. */
const MAX_WEBSOCKET_FRAME = 1 << 20;

const CLIENT_ERROR: ErrorBody = { error: { code: "bad_request", message: "Malformed HTTP request." } };
const CLIENT_ERROR_BODY = JSON.stringify(CLIENT_ERROR);

/**
 * Serves a relay app on Node. Requests Node's HTTP parser refuses (duplicate `Content-Length`, CRLF in a
 * header, oversized headers, …) never reach the app; they are answered here with the relay's JSON error
 * shape (400 `bad_request`, or 431 for headers too large) instead of Node's bare 400. A body the app
 * answered before reading it (413, 401, 429, …) is read and discarded within bounds, so that the client
 * reads the answer (see `drainUnreadBodies`).
 */
export async function serveRelay(app: Hono<RelayEnv>, options: ServeRelayOptions): Promise<RelayServer> {
  // The realtime route's WebSocket: it answers the protocol `realtime` a browser offers beside its token
  // entry (never echoing the token), and refuses frames over 1 MiB (a second of audio is about 64 KiB).
  const websocket = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WEBSOCKET_FRAME,
    handleProtocols: (protocols) => (protocols.has("realtime") ? "realtime" : false),
  });
  const server = serve({
    fetch: app.fetch,
    port: options.port,
    hostname: options.hostname,
    autoCleanupIncoming: false,
    websocket: { server: websocket },
  }) as Server;
  drainUnreadBodies(server, options.log, {
    maxBytes: options.drainBytes ?? DEFAULT_DRAIN_BYTES,
    maxMs: options.drainMs ?? DEFAULT_DRAIN_MS,
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === "ECONNRESET") return void socket.destroy();
    const status = err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
    options.log({ level: "warn", msg: "malformed request", code: err.code ?? "unknown" });
    socket.end(
      `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(CLIENT_ERROR_BODY)}\r\nconnection: close\r\n\r\n${CLIENT_ERROR_BODY}`,
    );
  });
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      options.closing.abort();
      server.close(() => resolve());
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), options.graceMs ?? 5000);
      cut.unref();
      // Connections whose streams ended become idle only after their response; close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      sweep.unref();
      server.once("close", () => {
        clearTimeout(cut);
        clearInterval(sweep);
      });
    });
  return { url: `http://${options.hostname}:${port}`, close };
}
