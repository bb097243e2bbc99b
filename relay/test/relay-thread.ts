/**
 * Worker-thread entry of `startRelayInThread` (tests only): a stand-in and a relay served by `serveRelay`,
 * on an event loop of their own, as a relay and its clients are in production.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { RelayOptions } from "../src/relay-options.ts";
import { startRelayWithStandin } from "./servers.ts";

const env = await startRelayWithStandin(workerData as Partial<RelayOptions>);
parentPort?.postMessage(env.url);
parentPort?.once("message", () => {
  void env.close().then(() => parentPort?.close());
});
