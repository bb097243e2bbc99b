/** The relay for the benchmark, in its own process, in front of the stand-in at `UPSTREAM`. */
import { createApp } from "../src/app.ts";
import { serveRelay } from "../src/serve-relay.ts";
import { testAgent, testUpstreams } from "../src/test-fixtures.ts";

const closing = new AbortController();
const agent = { ...testAgent, limits: { ...testAgent.limits, requestsPerMinute: 1_000_000 } };
const app = createApp({
  agents: [agent],
  upstreams: testUpstreams(process.env.UPSTREAM),
  tokenSecret: "bench-secret-0123456789abcdef0123456789",
  tokenTtlMs: 600_000,
  sessionsPerIpPerMinute: 1_000_000,
  closing: closing.signal,
  log: () => {},
});
await serveRelay(app, { port: Number(process.env.PORT), hostname: "127.0.0.1", log: () => {}, closing });
console.log("ready");
