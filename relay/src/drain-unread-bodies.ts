import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { RelayLog } from "./relay-log.ts";

/** Bounds of {@link drainUnreadBodies}. */
export interface DrainBounds {
  /** Most bytes of a body read and discarded after its answer; default {@link DEFAULT_DRAIN_BYTES}. */
  maxBytes: number;
  /** Longest time (ms) a body is read and discarded after its answer; default {@link DEFAULT_DRAIN_MS}. */
  maxMs: number;
}

/** Default of {@link DrainBounds.maxBytes}: 64 MiB. */
export const DEFAULT_DRAIN_BYTES = 64 * 1024 * 1024;
/** Default of {@link DrainBounds.maxMs}: 5000 ms, a 4 MB upload at about 7 Mbit/s. */
export const DEFAULT_DRAIN_MS = 5000;

/**
 * Makes `server` read, and discard, what is left of a request body once its answer has been sent: an
 * answer given before the body was read (413 from `Content-Length` or from a body counted as it streams
 * in, 401, 429, 503, …). Closing a socket with unread bytes makes TCP send a reset that destroys the
 * answer in flight or makes the client's next write fail (`EPIPE`, `ECONNRESET`), so the client never
 * reads it (RFC 9112 §9.6). Once the body has ended, the connection serves its next request; past
 * `maxBytes` or `maxMs` (a slow or endless client) it is closed. Nothing is buffered.
 *
 * The Node adapter's own clean-up (`autoCleanupIncoming`, which closes after 500 ms) must be off.
 */
export function drainUnreadBodies(server: Server, log: RelayLog, bounds: DrainBounds): void {
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    // Before Node's own listener, which would dump a body nobody started reading (no bound, and its
    // bytes no longer pass through the request where they are counted here).
    res.prependOnceListener("finish", () => {
      if (!req.complete) drain(req, log, bounds);
    });
  });
}

function drain(req: IncomingMessage, log: RelayLog, { maxBytes, maxMs }: DrainBounds): void {
  let bytes = 0;
  const stop = (reason?: "bytes" | "time") => {
    clearTimeout(timer);
    req.off("data", count);
    req.off("end", done);
    req.off("close", done);
    if (!reason) return;
    log({ level: "warn", msg: "refused body not drained", reason, bytes, method: req.method, path: req.url?.split("?")[0] });
    req.socket.destroy();
  };
  const done = () => stop();
  const count = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > maxBytes) stop("bytes");
  };
  const timer = setTimeout(() => stop("time"), maxMs);
  // A reader that stopped part-way (the body limit counting a chunked body) holds the request paused and
  // would queue what follows: take the data from it, count it and let it go.
  req.removeAllListeners("data");
  req.on("data", count);
  req.once("end", done);
  req.once("close", done);
  req.resume();
}
