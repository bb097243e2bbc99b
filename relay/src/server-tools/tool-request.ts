import type { IncomingMessage } from "node:http";
import { AddressRefusedError, resolvePinnedAddress, sendPinned } from "../outbound/pinned-request.ts";

/** Why a server tool's request gave no usable answer; each becomes a result the model hears. */
export type ToolRequestFailure = "refused" | "timeout" | "too_large" | "failed" | "cancelled";

/** A failed tool request; its message names no header value and no response body. */
export class ToolRequestError extends Error {
  readonly outcome: ToolRequestFailure;
  constructor(outcome: ToolRequestFailure, message: string) {
    super(message);
    this.outcome = outcome;
  }
}

/** One request of a server tool, as configured and with its header values read from the environment. */
export interface ToolRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** JSON text for POST, PUT and PATCH. */
  body: string | undefined;
  /** The agent's `toolHosts`: every hop's `host[:port]` must be one of them. */
  toolHosts: readonly string[];
  /** Aborted when the client leaves or the relay shuts down. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Largest answer body read (bytes); a larger one is cut off unread. */
  maxBytes: number;
  /** Redirects followed at most (each hop checked like the first). */
  maxRedirects: number;
}

/** The endpoint's answer, its body read whole (within {@link ToolRequest.maxBytes}). */
export interface ToolAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Calls a server tool's endpoint without letting it reach what it should not (SSRF). At every hop, at
 * call time: the URL's `host[:port]` must be on `toolHosts`; the name is resolved (every address), an
 * unspecified, multicast or reserved address is refused, and the connection is pinned to the checked
 * address (a second resolution cannot swap it: DNS rebinding). Loopback, private and link-local addresses
 * are reached only because their host is listed. Redirects are followed by hand, at most `maxRedirects`,
 * each target checked the same way; the configured headers (secrets) are dropped when a redirect leaves
 * the origin. The whole call (resolution, redirects, body) is bounded by `timeoutMs`, the body by `maxBytes`.
 *
 * @throws ToolRequestError naming what went wrong (never a header value)
 */
export async function requestToolEndpoint(request: ToolRequest): Promise<ToolAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  const hosts = new Set(request.toolHosts.map((host) => host.toLowerCase()));
  let url = new URL(request.url);
  let { method, body } = request;
  let headers: Record<string, string> = request.headers;
  try {
    for (let hop = 0; ; hop++) {
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new ToolRequestError("refused", `${url.protocol} is not http(s)`);
      if (!hosts.has(url.host)) {
        throw new ToolRequestError("refused", `${hop === 0 ? "" : "a redirect to "}${url.host} is not on the agent's toolHosts`);
      }
      // Listed hosts only: loopback, private and link-local addresses are allowed (listing is the opt-in).
      const address = await resolvePinnedAddress(url.hostname.replace(/^\[(.*)\]$/, "$1"), true, signal);
      const response = await sendPinned(url, address, { method, headers, body, signal });
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode ?? 0) || !location) return await readBody(response, request.maxBytes);
      response.destroy();
      if (hop >= request.maxRedirects) throw new ToolRequestError("failed", `more than ${request.maxRedirects} redirects`);
      const next = new URL(location, url);
      if (next.origin !== url.origin) headers = {};
      if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
      }
      url = next;
    }
  } catch (error) {
    if (error instanceof ToolRequestError) throw error;
    if (error instanceof AddressRefusedError) throw new ToolRequestError("refused", error.message);
    if (timeout.aborted) throw new ToolRequestError("timeout", `no answer within ${request.timeoutMs} ms`);
    if (request.signal.aborted) throw new ToolRequestError("cancelled", "the reply was cancelled");
    throw new ToolRequestError("failed", `the request failed (${(error as NodeJS.ErrnoException).code ?? "network error"})`);
  }
}

function readBody(response: IncomingMessage, maxBytes: number): Promise<ToolAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy();
        reject(new ToolRequestError("too_large", `the answer is over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.once("end", () =>
      resolve({
        status: response.statusCode ?? 502,
        contentType: String(response.headers["content-type"] ?? ""),
        body: Buffer.concat(chunks),
      }),
    );
    response.once("error", reject);
    response.once("close", () => {
      if (!response.complete) reject(new Error("the answer was cut off"));
    });
  });
}
