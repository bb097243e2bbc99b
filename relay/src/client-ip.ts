import { isIPv6 } from "node:net";
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
      const hops = (c.req.header("x-forwarded-for") ?? "")
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean);
      const ip = hops[hops.length - trustedProxyHops];
      if (ip) return ip;
    }
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    return env?.incoming?.socket?.remoteAddress ?? "unknown";
  };
}

/**
 * The key an address is limited under: an IPv6 address by its /64 network (one subscriber's usual
 * allocation, inside which a client can pick new addresses at will), an IPv4-mapped one as IPv4, any
 * other value as it is.
 */
export function ipLimitKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const address = ip.split("%")[0]!;
  if (!isIPv6(address)) return ip;
  const [head = "", tail] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}
