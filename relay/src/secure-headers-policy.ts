import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/**
 * Secure response headers that still let host pages on other origins load the widget's script, worklets,
 * `.wasm` and `.onnx` files: `Cross-Origin-Resource-Policy: cross-origin` instead of `same-origin`, and no
 * `Content-Security-Policy` on those files (a worker's CSP comes from its own response and would block
 * the WASM it compiles). JSON answers get `default-src 'none'`.
 */
export function secureHeadersPolicy(): MiddlewareHandler {
  const base = secureHeaders({
    crossOriginResourcePolicy: "cross-origin",
    crossOriginOpenerPolicy: false,
    xFrameOptions: "DENY",
  });
  return async (c, next) => {
    await base(c, next);
    if (c.res.headers.get("content-type")?.startsWith("application/json")) {
      c.res.headers.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
    }
  };
}
