/**
 * A static server for the browser tests: `/va/*` is the built widget (widget/dist), `/h/*` the
 * harness, `/` a page that loads both, optionally under a Content-Security-Policy.
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

const roots = { "/va/": new URL("../../dist/", import.meta.url), "/h/": new URL("dist/", import.meta.url) };
const types: Record<string, string> = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".onnx": "application/octet-stream", ".html": "text/html" };

/** The strict policy the README documents for a host that serves the widget from its own origin. */
export const STRICT_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; media-src 'self'; style-src 'self' 'unsafe-inline'";

/** A running server. */
export interface TestServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts on `port` (0: any free port). `?csp=1` serves the page under {@link STRICT_CSP}; `?auto=1`
 * autostarts the harness, `?auto=main-thread` with the audio loop on the main thread.
 */
export async function startServer(port = 0): Promise<TestServer> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/") {
      const headers: Record<string, string> = { "content-type": "text/html" };
      if (url.searchParams.get("csp")) headers["content-security-policy"] = STRICT_CSP;
      res.writeHead(200, headers);
      const auto = url.searchParams.get("auto") === "main-thread" ? ' data-autostart="main-thread"' : url.searchParams.get("auto") ? " data-autostart" : "";
      res.end(`<!doctype html><html><head><script type="module" src="/va/voice-agent.js"></script><script type="module" src="/h/harness.js"></script></head><body${auto}><p>audio harness</p></body></html>`);
      return;
    }
    for (const [prefix, root] of Object.entries(roots)) {
      if (!url.pathname.startsWith(prefix) || url.pathname.includes("..")) continue;
      try {
        const body = await readFile(fileURLToPath(new URL(url.pathname.slice(prefix.length), root)));
        res.writeHead(200, { "content-type": types[extname(url.pathname)] ?? "application/octet-stream" });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return { url: `http://127.0.0.1:${actual}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
