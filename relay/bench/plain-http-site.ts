/**
 * The shipped nginx site (`deploy/nginx/voice-agent.conf`) for the capacity benchmark: rendered by the
 * two-instances journey's `renderSite` with the bench's ports, then with TLS taken out (plain HTTP/1.1
 * on loopback), so the load generator's TLS and HTTP/2 costs do not dominate the machine. Everything
 * else (upstream block, proxy headers, no buffering, a new relay connection per request) is as shipped.
 */
import { renderSite } from "../../e2e/proxy/nginx.ts";

export function plainHttpSite(template: string, port: number, relayPorts: readonly [number, number]): string {
  const rendered = renderSite(template, { httpsPort: port, httpPort: port + 1, relayPorts, certFile: "unused.pem", keyFile: "unused.pem" });
  const plain = rendered
    .replace(`listen 127.0.0.1:${port} ssl http2;`, `listen 127.0.0.1:${port};`)
    .split("\n")
    .filter((line) => !/^\s*(ssl_|listen \[::1\])/.test(line))
    .join("\n");
  if (!plain.includes(`listen 127.0.0.1:${port};`) || plain.includes("ssl"))
    throw new Error("plain-http-site.ts: the site file's TLS lines changed; update this rendering");
  return plain;
}
