import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import OpenAI from "openai";
import { createStandin, webSocketServing } from "./standin.ts";
import type { Standin, StandinOptions } from "./standin.ts";

/** A stand-in listening on a free port of 127.0.0.1, with an `openai` client pointed at it. */
export interface TestServer extends Standin {
  /** e.g. `http://127.0.0.1:41234` (no `/v1`). */
  origin: string;
  client: OpenAI;
  close(): Promise<void>;
}

/** Starts a stand-in over a real socket for tests; call `close()` when done. */
export async function startTestServer(options: StandinOptions = {}): Promise<TestServer> {
  const standin = createStandin(options);
  const server = serve({ fetch: standin.app.fetch, port: 0, hostname: "127.0.0.1", ...webSocketServing() });
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    ...standin,
    origin,
    client: new OpenAI({ apiKey: "x", baseURL: `${origin}/v1`, maxRetries: 0 }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
