import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { classifyAddress } from "../server-tools/address-policy.ts";

/** An address a request is pinned to, as `dns.lookup` returns it. */
export interface PinnedAddress {
  address: string;
  family: number;
}

/** The host's addresses break the address policy; the message names the host, never a header or body. */
export class AddressRefusedError extends Error {}

/**
 * Resolves `hostname` (every address) for an outbound request of the relay (server tools, webhooks) and
 * returns the address to pin the connection to. Refused: any unspecified, multicast or reserved address;
 * any loopback, private or link-local one unless `allowRestricted` (the host is on the agent's
 * `toolHosts`). See `address-policy.ts`.
 *
 * @throws AddressRefusedError, or the resolver's error (`ENOTFOUND`, …), or `signal`'s reason
 */
export async function resolvePinnedAddress(hostname: string, allowRestricted: boolean, signal: AbortSignal): Promise<PinnedAddress> {
  const addresses = await Promise.race([
    dnsLookup(hostname, { all: true, order: "verbatim" }),
    new Promise<never>((_, reject) => {
      signal.throwIfAborted();
      signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
    }),
  ]);
  const classes = addresses.map(({ address }) => classifyAddress(address));
  if (classes.includes("never") || addresses.length === 0)
    throw new AddressRefusedError(`${hostname} resolves to an address that is never called`);
  if (!allowRestricted && classes.includes("restricted")) {
    throw new AddressRefusedError(`${hostname} resolves to a loopback, private or link-local address and is not on the agent's toolHosts`);
  }
  return addresses[0]!;
}

/** One outbound request, redirects not handled. */
export interface PinnedRequest {
  method: string;
  headers: Record<string, string>;
  /** JSON text, or undefined for none. */
  body: string | undefined;
  signal: AbortSignal;
}

/**
 * Sends one request to `url` over a connection to `pinned` only, whatever the name resolves to now (DNS
 * rebinding cannot swap the checked address), without a connection pool; resolves with the response head.
 */
export function sendPinned(url: URL, pinned: PinnedAddress, request: PinnedRequest): Promise<IncomingMessage> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as (e: null, a: PinnedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const { method, body, signal } = request;
  const headers: OutgoingHttpHeaders = {
    accept: "application/json, text/plain;q=0.9, */*;q=0.1",
    "user-agent": "voice-agent-relay",
    ...(body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }),
    ...request.headers,
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, lookup, agent: false, signal });
    req.once("response", resolve);
    req.once("error", reject);
    req.end(body);
  });
}
