import type { Context } from "hono";

/** Finds the client's IP address of a request, for the per-IP limit on session creation. */
export type ClientIp = (c: Context) => string;

/**
 * The client IP as the socket sees it (Node adapter), or, behind `trustedProxyHops` reverse proxies, the
 * `X-Forwarded-For` entry that many hops from the right (the address the outermost trusted proxy saw;
 * entries further left are client-supplied and ignored). `"unknown"` when neither is available.
 */
export function clientIpFrom(trustedProxyHops = 0): ClientIp {
  return (c) => {
    if (trustedProxyHops > 0) {
      const hops = (c.req.header("x-forwarded-for") ?? "").split(",").map((part) => part.trim()).filter(Boolean);
      const ip = hops[hops.length - trustedProxyHops];
      if (ip) return ip;
    }
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    return env?.incoming?.socket?.remoteAddress ?? "unknown";
  };
}
