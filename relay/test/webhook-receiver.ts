import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a {@link startWebhookReceiver} received. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * What the receiver answers its `n`th request (from 0): a status with headers, after `delayMs` (default
 * at once), or `hang` (never answers).
 */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; delayMs?: number } | "hang";

/**
 * A webhook receiver on 127.0.0.1 (tests only) that keeps every request it gets and answers with
 * `answer`; `port` reuses a port (a receiver brought back up). `close` drops open connections.
 */
export async function startWebhookReceiver(answer: (n: number) => ReceiverAnswer = () => ({ status: 204 }), port = 0) {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const n = received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") }) - 1;
      const reply = answer(n);
      if (reply === "hang") return;
      setTimeout(() => res.writeHead(reply.status, reply.headers).end("ok"), reply.delayMs ?? 0);
    });
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const bound = (server.address() as AddressInfo).port;
  return {
    received,
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
