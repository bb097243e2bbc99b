/**
 * A static server for the browser tests: `/va/*` is the built widget (widget/dist), `/h/*` the
 * harness, `/` a page that loads both, optionally under a Content-Security-Policy, and `/tone.pcm` a
 * reply's speech as the relay streams it (see {@link serveTone}).
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";

const roots = { "/va/": new URL("../../dist/", import.meta.url), "/h/": new URL("dist/", import.meta.url) };
const types: Record<string, string> = {
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".onnx": "application/octet-stream",
  ".html": "text/html",
};

/** The strict policy the README documents for a host that serves the widget from its own origin. */
export const STRICT_CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; media-src 'self'; style-src 'self' 'unsafe-inline'";

/** A running server. */
export interface TestServer {
  url: string;
  /** The tone streams served so far: their query, and whether the client went away before the end. */
  tones: { query: string; aborted: boolean }[];
  close(): Promise<void>;
}

/** Bytes of the tone per network write: 20 ms of 24 kHz 16-bit mono. */
const TONE_CHUNK_SAMPLES = 480;

/**
 * `/tone.pcm?seconds=S&speed=X`: a 220 Hz tone at −12 dBFS as 24 kHz 16-bit little-endian PCM (the
 * relay's speech format), written in 20 ms pieces on an absolute schedule at X × real time (default 1),
 * as a TTS stream arrives. `?status=N&code=C` answers with the relay's error body instead (and
 * `Retry-After: 3` for 429).
 */
function serveTone(url: URL, req: IncomingMessage, res: ServerResponse, tones: TestServer["tones"]): void {
  req.resume();
  const status = Number(url.searchParams.get("status") ?? 200);
  if (status !== 200) {
    const code = url.searchParams.get("code") ?? "upstream_error";
    res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after": "3" } : {}) });
    res.end(JSON.stringify({ error: { code, message: `tone ${status} ${code}` } }));
    return;
  }
  const record = { query: url.search, aborted: false };
  tones.push(record);
  const total = Math.round(Number(url.searchParams.get("seconds") ?? 1) * 24_000);
  const speed = Number(url.searchParams.get("speed") ?? 1);
  res.writeHead(200, { "content-type": "audio/pcm" });
  const t0 = performance.now();
  let at = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    const pcm = new Int16Array(Math.min(TONE_CHUNK_SAMPLES, total - at));
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * (at + i)) / 24_000));
    res.write(new Uint8Array(pcm.buffer));
    at += pcm.length;
    if (at >= total) return void res.end();
    timer = setTimeout(write, Math.max(0, t0 + (at / 24_000 / speed) * 1000 - performance.now()));
  };
  // The response's close, not the request's (which fires once its body was read).
  res.on("close", () => {
    clearTimeout(timer);
    if (!res.writableFinished) record.aborted = true;
  });
  write();
}

/**
 * Starts on `port` (0: any free port). `?csp=1` serves the page under {@link STRICT_CSP}; `?auto=1`
 * autostarts the harness, `?auto=main-thread` with the audio loop on the main thread.
 */
export async function startServer(port = 0): Promise<TestServer> {
  const tones: TestServer["tones"] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/tone.pcm") return serveTone(url, req, res, tones);
    if (url.pathname === "/") {
      const headers: Record<string, string> = { "content-type": "text/html" };
      if (url.searchParams.get("csp")) headers["content-security-policy"] = STRICT_CSP;
      res.writeHead(200, headers);
      const auto =
        url.searchParams.get("auto") === "main-thread"
          ? ' data-autostart="main-thread"'
          : url.searchParams.get("auto")
            ? " data-autostart"
            : "";
      res.end(
        `<!doctype html><html><head><script type="module" src="/va/voice-agent.js"></script><script type="module" src="/h/harness.js"></script></head><body${auto}><p>audio harness</p></body></html>`,
      );
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
  return { url: `http://127.0.0.1:${actual}`, tones, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
