/**
 * The production topology of `deploy/` on one machine: Debian's nginx (the shipped site file, TLS with a
 * throwaway certificate) in front of two relays started as the shipped systemd unit starts them (the
 * production build, `NODE_ENV=production`, `TRUSTED_PROXY_HOPS=1` from the example environment file),
 * records and budgets in a database of their own on the test PostgreSQL, one stand-in upstream (the
 * suite's), and a demo page that embeds the widget from the proxy's URL.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDemo, startRelay, type ManagedProcess } from "../../scripts/stack.ts";
import { writeAgentsFile } from "../agents-file.ts";
import { E2E } from "../stack-ports.ts";
import { InstanceLog } from "./instance-log.ts";
import { renderSite, startNginx, type Nginx } from "./nginx.ts";
import { onThisCheckout, readDeployFiles, unitCommand } from "./systemd-unit.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
import { selfSignedCert, type TlsCert } from "./tls-cert.ts";

/** One relay instance: its process, own URL (behind the proxy) and log. */
export interface Instance {
  process: ManagedProcess;
  url: string;
  log: InstanceLog;
}

/** A running proxied stack. */
export interface ProxiedStack {
  /** The proxy's HTTPS URL, what the page and the test talk to. */
  proxyUrl: string;
  /** The proxy's plain-HTTP port (redirects). */
  httpUrl: string;
  demoUrl: string;
  cert: TlsCert;
  instances: [Instance, Instance];
  nginx: Nginx;
  stop(): Promise<void>;
}

/** Secrets of the journey's relays (`RELAY_TOKEN_SECRET` the same on both, as production requires). */
const SECRETS = { RELAY_TOKEN_SECRET: "e2e-two-instances-secret-0123456789abcdef", ADMIN_TOKEN: E2E.adminToken };

/** Starts the topology; `databaseServerUrl` is `DATABASE_URL_TEST`. */
export async function startProxiedStack(options: { databaseServerUrl: string; limitedRequestsPerMinute: number }): Promise<ProxiedStack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => console.error(`two-instances cleanup: ${String(error)}`));
  };
  try {
    // A process left over from an interrupted run would answer the readiness checks in place of ours.
    for (const port of [E2E.proxyHttpsPort, E2E.proxyHttpPort, ...E2E.proxyRelayPorts, E2E.proxyDemoPort]) await assertPortFree(port);
    const dir = await mkdtemp(join(tmpdir(), "voice-agent-proxy-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const database: TestDatabase = await createTestDatabase(options.databaseServerUrl, `e2e_two_${process.pid}`);
    cleanups.push(() => database.drop());
    const agentsFile = await writeAgentsFile({ origins: [E2E.proxyDemoUrl], limitedRequestsPerMinute: options.limitedRequestsPerMinute });
    const { unit, envExample } = await readDeployFiles();
    const instances: Instance[] = [];
    // One after the other: both run the database migrations at start, the second finds them done.
    for (const port of E2E.proxyRelayPorts) {
      const fromUnit = unitCommand(unit, String(port), envExample);
      const log = new InstanceLog();
      const relay = await startRelay({
        port,
        name: `relay@${port}`,
        command: onThisCheckout(fromUnit),
        env: {
          ...fromUnit.env,
          ...SECRETS,
          DATABASE_URL: database.url,
          AGENTS_FILE: agentsFile,
          OFFLINE_DEMO_UPSTREAM: `${E2E.standinUrl}/v1`,
        },
        output: log.write,
      });
      cleanups.push(() => relay.kill());
      instances.push({ process: relay, url: relay.url, log });
    }
    const cert = await selfSignedCert(dir);
    const site = renderSite(await readFile(new URL("../../deploy/nginx/voice-agent.conf", import.meta.url), "utf8"), {
      httpsPort: E2E.proxyHttpsPort,
      httpPort: E2E.proxyHttpPort,
      relayPorts: E2E.proxyRelayPorts,
      certFile: cert.certFile,
      keyFile: cert.keyFile,
    });
    const nginx = await startNginx({ dir, site, httpsPort: E2E.proxyHttpsPort });
    cleanups.push(() => nginx.stop());
    const demo = await startDemo({ port: E2E.proxyDemoPort, relayUrl: nginx.url, output: process.env.E2E_VERBOSE ? "inherit" : "quiet" });
    cleanups.push(() => demo.kill());
    return {
      proxyUrl: nginx.url,
      httpUrl: `http://127.0.0.1:${E2E.proxyHttpPort}`,
      demoUrl: demo.url,
      cert,
      instances: instances as [Instance, Instance],
      nginx,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function assertPortFree(port: number): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
  if (inUse)
    throw new Error(`port ${port} is in use (a process left over from an earlier run?); set E2E_PORT_BASE to another block or stop it`);
}
