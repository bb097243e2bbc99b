/**
 * Requests from the test process to the TLS proxy, trusting its throwaway certificate (and nothing
 * else), optionally from another loopback address so that the proxy sees another client.
 */
import { request } from "node:https";

/** One answer, body read in full. */
export interface ProxyAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface ProxyRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Source address, e.g. `127.0.0.5` (any 127/8 address reaches the loopback proxy). */
  localAddress?: string;
}

/** Sends one request to `url` (on the proxy) with `ca` as the only trusted certificate. */
export function proxyRequest(url: string, ca: string, options: ProxyRequest = {}): Promise<ProxyAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.headers, ca, localAddress: options.localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", (error) => reject(new Error(`${options.method ?? "GET"} ${url}: ${error.message}`, { cause: error })));
    req.end(options.body);
  });
}
