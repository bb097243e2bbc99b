/**
 * A host site on its own origin for the embed journeys and the benchmarks: serves `pages/*.html` with
 * `%RELAY_URL%` filled in, under a strict Content-Security-Policy that allows scripts and connections
 * only from itself and the relay (`?workers=blob` adds `worker-src blob: <relay>`, which lets the widget start
 * its audio loop's Worker), plus `pages/*.js` (the page's own module scripts).
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The embed policy of the widget README (widget served by the relay), with everything else denied;
 * `blobWorkers` adds `worker-src blob: <relay>` (the audio loop's Worker bootstrap, and the worker
 * script it imports: a module worker's imports are checked against `worker-src`).
 */
export function strictCsp(relayUrl: string, blobWorkers = false): string {
  const relay = new URL(relayUrl).origin;
  return [
    "default-src 'none'",
    `script-src 'self' 'wasm-unsafe-eval' ${relay}`,
    ...(blobWorkers ? [`worker-src blob: ${relay}`] : []),
    // The relay's WebSocket (realtime mode): an http(s) source does not cover ws(s) on another origin.
    `connect-src ${relay} ${relay.replace(/^http/, "ws")}`,
    // The page's own favicon (Firefox and WebKit ask for one; default-src 'none' would refuse it).
    "img-src 'self'",
    "style-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A running host site. */
export interface HostServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the host pages on `hostname:port`, embedding the widget from `relayUrl`. */
export async function startHostServer(options: { port: number; hostname: string; relayUrl: string }): Promise<HostServer> {
  const pages = new URL("pages/", import.meta.url);
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://x");
      const path = url.pathname;
      if (path === "/favicon.ico") return void response.writeHead(204).end();
      const match = /^\/([a-z0-9-]+)\.(html|js)$/.exec(path);
      const text = match ? await readFile(new URL(`${match[1]}.${match[2]}`, pages), "utf8").catch(() => undefined) : undefined;
      if (!match || text === undefined) {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      if (match[2] === "js") {
        response.writeHead(200, { "content-type": "text/javascript" }).end(text);
        return;
      }
      response
        .writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "content-security-policy": strictCsp(options.relayUrl, url.searchParams.get("workers") === "blob"),
        })
        .end(text.replaceAll("%RELAY_URL%", options.relayUrl));
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.hostname, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.hostname}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
