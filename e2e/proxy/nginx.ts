/**
 * Debian's nginx for the proxy journeys: renders the shipped site file (`deploy/nginx/voice-agent.conf`)
 * with the test's ports and certificate in place of its EDIT values, wraps it in a minimal main
 * configuration in a temporary prefix and runs nginx in the foreground.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

/** nginx executable: `NGINX_PATH`, default Debian's `/usr/sbin/nginx`. */
export const NGINX_PATH = process.env.NGINX_PATH ?? "/usr/sbin/nginx";

/** Whether nginx is installed (Debian: `apt-get install nginx`). */
export const nginxInstalled = (): boolean => existsSync(NGINX_PATH);

/** What the journeys put in place of the site file's EDIT values. */
export interface SiteValues {
  httpsPort: number;
  httpPort: number;
  relayPorts: readonly [number, number];
  certFile: string;
  keyFile: string;
}

/**
 * The site file with `values` substituted. Each replaced text must occur exactly as often as expected,
 * so an edit of the shipped file that the journeys would silently stop covering fails here instead.
 */
export function renderSite(template: string, values: SiteValues): string {
  const replacements: [string, string, number][] = [
    ["listen 443 ssl http2;", `listen 127.0.0.1:${values.httpsPort} ssl http2;`, 1],
    ["listen [::]:443 ssl http2;", `listen [::1]:${values.httpsPort} ssl http2;`, 1],
    ["listen 80;", `listen 127.0.0.1:${values.httpPort};`, 1],
    ["listen [::]:80;", `listen [::1]:${values.httpPort};`, 1],
    ["server 127.0.0.1:8701 ", `server 127.0.0.1:${values.relayPorts[0]} `, 1],
    ["server 127.0.0.1:8702 ", `server 127.0.0.1:${values.relayPorts[1]} `, 1],
    ["/etc/letsencrypt/live/relay.example.com/fullchain.pem", values.certFile, 1],
    ["/etc/letsencrypt/live/relay.example.com/privkey.pem", values.keyFile, 1],
  ];
  let text = template;
  for (const [from, to, count] of replacements) {
    const found = text.split(from).length - 1;
    if (found !== count)
      throw new Error(
        `deploy/nginx/voice-agent.conf: expected "${from}" ${count} time(s), found ${found}; update e2e/proxy/nginx.ts with the file`,
      );
    text = text.replaceAll(from, to);
  }
  return text;
}

/** A running nginx. */
export interface Nginx {
  /** e.g. `https://127.0.0.1:19743`. */
  url: string;
  /** The error log's text so far. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts nginx in the foreground with `site` (rendered) in the prefix `dir`; resolves once it answers.
 * `workerConnections` (default 512) bounds client plus relay connections of its one worker.
 */
export async function startNginx(options: { dir: string; site: string; httpsPort: number; workerConnections?: number }): Promise<Nginx> {
  const { dir } = options;
  // Workers run as nobody when the master is root: they need to reach the temporary files under the prefix.
  await chmod(dir, 0o755);
  await writeFile(join(dir, "voice-agent.conf"), options.site);
  const errorLog = join(dir, "error.log");
  await writeFile(
    join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      `pid ${join(dir, "nginx.pid")};`,
      `error_log ${errorLog} info;`,
      `events { worker_connections ${options.workerConnections ?? 512}; }`,
      "http {",
      `  access_log ${join(dir, "access.log")};`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${join(dir, `${kind}-temp`)};`),
      `  include ${join(dir, "voice-agent.conf")};`,
      "}",
      "",
    ].join("\n"),
  );
  const args = ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", errorLog];
  try {
    await promisify(execFile)(NGINX_PATH, [...args, "-t", "-q"]);
  } catch (error) {
    throw new Error(`nginx -t refused the rendered site: ${(error as { stderr?: string }).stderr ?? String(error)}`, { cause: error });
  }
  const child: ChildProcess = spawn(NGINX_PATH, args, { stdio: "ignore" });
  const url = `https://127.0.0.1:${options.httpsPort}`;
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", async (code) =>
      reject(new Error(`nginx exited (code ${code}): ${await readFile(errorLog, "utf8").catch(() => "")}`)),
    ),
  );
  exited.catch(() => {});
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  try {
    await Promise.race([waitForPort(options.httpsPort), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, errorLog: () => readFile(errorLog, "utf8"), stop };
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
