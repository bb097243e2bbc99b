import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local HTTP server on 127.0.0.1 answering with `handle`, as an owner's API for server tools (tests
 * only); keeps every request it got (`hits`) and its `host` (`127.0.0.1:<port>`, for `toolHosts`).
 */
export async function httpServer(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const hits: { url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      hits.push({ url: req.url ?? "", headers: req.headers, body });
      handle(req, res, body);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, hits, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}
