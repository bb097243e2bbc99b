import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";

/**
 * A content-hashed file name, `<name>.<16 hex digits>.<ext>` (the widget build names its VAD model and
 * WASM so): its bytes never change, so browsers may keep it for a year without asking again.
 */
export const HASHED_FILE = /\.[0-9a-f]{16}\.[a-z0-9]+$/;

/** `Cache-Control` of a {@link HASHED_FILE}. */
export const IMMUTABLE_CACHE = "public, max-age=31536000, immutable";

/** `Cache-Control` of every other file (`voice-agent.js`, worklets, chunks): revalidate on each use. */
export const REVALIDATE_CACHE = "no-cache";

/**
 * Serves the built widget (`voice-agent.js`, worklets, `.wasm`, `.onnx`, …) from `dir` at `/` with
 * `Access-Control-Allow-Origin: *`, because host pages on any origin load these files cross-origin.
 * A `.br` or `.gz` copy beside a file (the build writes them) is sent instead, with `Content-Encoding`,
 * when `Accept-Encoding` lists `br` or `gzip` (brotli first; a token with a `q` parameter is not matched,
 * so the answer is then the plain file). Every answer has `Vary: Accept-Encoding`. Hashed files are
 * {@link IMMUTABLE_CACHE}; the others {@link REVALIDATE_CACHE}, answered `304` while `If-Modified-Since`
 * is not older than the file. Unknown files fall through to the JSON 404; there is no HTML fallback.
 * Node-only (reads the disk).
 */
export function widgetStatic(dir: string): MiddlewareHandler {
  const serve = serveStatic({ root: dir, precompressed: true });
  return async (c, next) => {
    const res = await serve(c, next);
    if (!(res instanceof Response)) return res;
    const immutable = HASHED_FILE.test(c.req.path);
    res.headers.set("access-control-allow-origin", "*");
    res.headers.set("cross-origin-resource-policy", "cross-origin");
    res.headers.set("cache-control", immutable ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
    res.headers.set("vary", "Accept-Encoding");
    if (!immutable && res.status === 200 && notModified(c.req.header("if-modified-since"), res.headers.get("last-modified"))) {
      await res.body?.cancel();
      const headers = new Headers(res.headers);
      for (const name of ["content-length", "content-type", "content-encoding"]) headers.delete(name);
      return new Response(null, { status: 304, headers });
    }
    return res;
  };
}

function notModified(since: string | undefined, lastModified: string | null): boolean {
  if (!since || !lastModified) return false;
  const sinceMs = Date.parse(since);
  return Number.isFinite(sinceMs) && Date.parse(lastModified) <= sinceMs;
}
