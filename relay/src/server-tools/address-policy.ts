import { BlockList, isIP } from "node:net";

/**
 * Addresses a server tool reaches only when its host is on the agent's `toolHosts`: loopback, private
 * (RFC 1918, unique local), link-local (cloud metadata services live there), shared address space and
 * other special-use ranges. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are checked as the IPv4
 * address they carry.
 */
const restricted = new BlockList();
for (const [prefix, bits] of [
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
] as const) {
  restricted.addSubnet(prefix, bits, "ipv4");
}
for (const [prefix, bits] of [
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["64:ff9b::", 96],
  ["2002::", 16],
] as const) {
  restricted.addSubnet(prefix, bits, "ipv6");
}

/** Addresses never dialled: unspecified (connects to the local host), multicast, broadcast, reserved. */
const never = new BlockList();
never.addSubnet("0.0.0.0", 8, "ipv4");
never.addSubnet("224.0.0.0", 3, "ipv4");
never.addAddress("::", "ipv6");
never.addSubnet("ff00::", 8, "ipv6");

/** How a resolved address may be used: `public`, `restricted` (only for a listed host) or `never`. */
export type AddressClass = "public" | "restricted" | "never";

/** Classifies an IPv4 or IPv6 address (as `dns.lookup` returns it). */
export function classifyAddress(address: string): AddressClass {
  const ip = mappedIpv4(address) ?? address;
  const family = isIP(ip) === 4 ? "ipv4" : "ipv6";
  if (never.check(ip, family)) return "never";
  if (restricted.check(ip, family)) return "restricted";
  return "public";
}

/** The IPv4 address inside an IPv4-mapped IPv6 address, dotted (`::ffff:7f00:1` → `127.0.0.1`). */
function mappedIpv4(address: string): string | undefined {
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}
