import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";

/**
 * Serves the built widget (`voice-agent.js`, worklets, `.wasm`, `.onnx`, …) from `dir` at `/` with
 * `Access-Control-Allow-Origin: *`, because host pages on any origin load these files cross-origin.
 * Unknown files fall through to the JSON 404; there is no HTML fallback. Node-only (reads the disk).
 */
export function widgetStatic(dir: string): MiddlewareHandler {
  const serve = serveStatic({ root: dir });
  return async (c, next) => {
    const res = await serve(c, next);
    if (!(res instanceof Response)) return res;
    res.headers.set("access-control-allow-origin", "*");
    res.headers.set("cross-origin-resource-policy", "cross-origin");
    res.headers.set("cache-control", "no-cache");
    return res;
  };
}
