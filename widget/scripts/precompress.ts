/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside every compressible file of the build, for
 * servers that pick one by `Accept-Encoding` (the relay does). Maximum settings: brotli quality 11 with a
 * 16 MB window (the most a browser accepts), gzip level 9. Brotli at quality 11 takes about 35 s for
 * onnxruntime's WASM, so results are cached by content in `node_modules/.cache/voice-agent-precompress`.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/** Files smaller than this (bytes) are left alone: a header costs more than it saves. */
export const PRECOMPRESS_MIN_BYTES = 1024;
const COMPRESSIBLE = /\.(js|mjs|wasm|onnx|json)$/;
const cacheDir = new URL("../node_modules/.cache/voice-agent-precompress/", import.meta.url).pathname;

const encoders = {
  br: (b: Uint8Array) =>
    brotliCompressSync(b, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: b.length },
    }),
  gz: (b: Uint8Array) => gzipSync(b, { level: 9 }),
} as const;

/** `source` encoded as `.br` or `.gz`, from the cache when this content was compressed before. */
export function compressed(source: Uint8Array, ext: keyof typeof encoders): Uint8Array {
  const file = join(cacheDir, `${createHash("sha256").update(source).digest("hex")}.${ext}`);
  try {
    return readFileSync(file);
  } catch {
    const out = encoders[ext](source);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(file, out);
    return out;
  }
}

/** Vite plugin: after the bundle is written to `outDir`, writes the `.br` and `.gz` siblings that are smaller. */
export function precompress(): Plugin {
  let outDir = "";
  return {
    name: "voice-agent-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!COMPRESSIBLE.test(fileName)) continue;
        const source = readFileSync(join(outDir, fileName));
        if (source.length < PRECOMPRESS_MIN_BYTES) continue;
        for (const ext of ["br", "gz"] as const) {
          const out = compressed(source, ext);
          if (out.length < source.length) writeFileSync(join(outDir, `${fileName}.${ext}`), out);
        }
      }
    },
  };
}
