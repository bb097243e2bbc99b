import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createTestApp } from "../test/fixtures.ts";
import { IMMUTABLE_CACHE, REVALIDATE_CACHE } from "./widget-static.ts";

const WASM = "ort-wasm-simd-threaded.0123456789abcdef.wasm";
const script = new TextEncoder().encode(`export const text = "${"voice agent ".repeat(200)}";`);
const wasm = new Uint8Array(4096).map((_, i) => i % 7);

const dir = mkdtempSync(join(tmpdir(), "relay-widget-"));
mkdirSync(join(dir, "assets"));
writeFileSync(join(dir, "voice-agent.js"), script);
writeFileSync(join(dir, "voice-agent.js.br"), brotliCompressSync(script));
writeFileSync(join(dir, "voice-agent.js.gz"), gzipSync(script));
writeFileSync(join(dir, WASM), wasm);
writeFileSync(join(dir, `${WASM}.br`), brotliCompressSync(wasm));
writeFileSync(join(dir, "assets", "ort.wasm"), new Uint8Array([0, 97, 115, 109]));
writeFileSync(join(dir, "assets", "silero_vad.onnx"), new Uint8Array([8, 1]));
const modified = new Date("2026-12-01T10:00:00Z");
for (const file of ["voice-agent.js", "voice-agent.js.br", "voice-agent.js.gz"]) utimesSync(join(dir, file), modified, modified);
const { app } = createTestApp({ widgetDir: dir });
const body = async (res: Response) => new Uint8Array(await res.arrayBuffer());

describe("widget files", () => {
  it.each([
    ["/voice-agent.js", /^text\/javascript/],
    ["/assets/ort.wasm", /^application\/wasm$/],
    ["/assets/silero_vad.onnx", /^application\/octet-stream$/],
  ])("serves %s cross-origin as %s", async (path, type) => {
    const res = await app.request(path, { headers: { origin: "https://customer.example" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(type);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("content-security-policy")).toBeNull();
    expect(res.headers.get("cross-origin-embedder-policy")).toBeNull();
  });

  it("answers a missing file with a JSON 404, not an HTML fallback", async () => {
    for (const path of ["/missing.js", "/../package.json", "/assets/", "/missing.0123456789abcdef.wasm"]) {
      const res = await app.request(path, { headers: { "accept-encoding": "br, gzip" } });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });
});

describe("widget files: encodings", () => {
  it("sends the brotli copy when the browser accepts br, else the gzip copy, else the plain file", async () => {
    const br = await app.request("/voice-agent.js", { headers: { "accept-encoding": "gzip, deflate, br, zstd" } });
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(brotliDecompressSync(await body(br))).toEqual(Buffer.from(script));

    const gz = await app.request("/voice-agent.js", { headers: { "accept-encoding": "gzip, deflate" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(await body(gz))).toEqual(Buffer.from(script));

    const plain = await app.request("/voice-agent.js");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await body(plain)).toEqual(script);
    for (const res of [br, gz, plain]) {
      expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
      expect(res.headers.get("vary")).toBe("Accept-Encoding");
    }
  });

  it("sends the plain file when no copy exists in an accepted encoding", async () => {
    const noGzipCopy = await app.request(`/${WASM}`, { headers: { "accept-encoding": "gzip" } });
    expect(noGzipCopy.headers.get("content-encoding")).toBeNull();
    expect(noGzipCopy.headers.get("content-type")).toBe("application/wasm");
    expect(await body(noGzipCopy)).toEqual(wasm);

    const noCopyAtAll = await app.request("/assets/ort.wasm", { headers: { "accept-encoding": "br, gzip" } });
    expect(noCopyAtAll.headers.get("content-encoding")).toBeNull();
    expect(noCopyAtAll.headers.get("vary")).toBe("Accept-Encoding");
    expect(await body(noCopyAtAll)).toEqual(new Uint8Array([0, 97, 115, 109]));
  });

  it("does not send brotli when the browser lists it with a q parameter (q=0 refuses it)", async () => {
    const res = await app.request("/voice-agent.js", { headers: { "accept-encoding": "br;q=0, gzip" } });
    expect(res.headers.get("content-encoding")).toBe("gzip");
  });
});

describe("widget files: caching", () => {
  it("lets browsers keep a content-hashed file for a year without asking again", async () => {
    const res = await app.request(`/${WASM}`, { headers: { "accept-encoding": "br" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("br");
    expect(res.headers.get("cache-control")).toBe(IMMUTABLE_CACHE);
    expect(IMMUTABLE_CACHE).toBe("public, max-age=31536000, immutable");
  });

  it("makes browsers revalidate the entry script and other unhashed files", async () => {
    for (const path of ["/voice-agent.js", "/assets/ort.wasm"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe(REVALIDATE_CACHE);
    }
    expect((await app.request("/voice-agent.js")).headers.get("last-modified")).toBe(modified.toUTCString());
  });

  it("answers a revalidation of an unchanged file with 304 and no body, and a stale one with the file", async () => {
    const headers = { "accept-encoding": "br", "if-modified-since": modified.toUTCString() };
    const fresh = await app.request("/voice-agent.js", { headers });
    expect(fresh.status).toBe(304);
    expect(await body(fresh)).toHaveLength(0);
    expect(fresh.headers.get("cache-control")).toBe(REVALIDATE_CACHE);
    expect(fresh.headers.get("vary")).toBe("Accept-Encoding");
    expect(fresh.headers.get("content-encoding")).toBeNull();

    const stale = await app.request("/voice-agent.js", {
      headers: { ...headers, "if-modified-since": new Date(modified.getTime() - 1000).toUTCString() },
    });
    expect(stale.status).toBe(200);
    expect(brotliDecompressSync(await body(stale))).toEqual(Buffer.from(script));
  });
});
