/**
 * The VAD's binary assets as the widget serves them: the 16 kHz Silero v5 graph and onnxruntime-web's
 * WASM and glue module, each under a content-hashed name `<name>.<16 hex>.<ext>` so that servers can cache
 * them as immutable (the relay does). The build emits them beside the widget script and hands their names
 * to `src/audio/browser-speech-model.ts` as the compile-time constant `__VAD_ASSETS__`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Plugin } from "vite";
import { vadModel } from "../tools/vad-model.ts";

const require = createRequire(import.meta.url);
const ortDist = dirname(require.resolve("onnxruntime-web/wasm"));

/** Which file plays which part, as the loader names them. */
export type VadAssetRole = "model" | "wasm" | "mjs";

/** One asset: its hashed file name and its bytes. */
export interface VadAsset {
  fileName: string;
  source: Uint8Array;
}

function hashed(name: string, ext: string, source: Uint8Array): VadAsset {
  return { fileName: `${name}.${createHash("sha256").update(source).digest("hex").slice(0, 16)}.${ext}`, source };
}

/** The three assets (read and hashed once per process). */
export const VAD_ASSETS: Readonly<Record<VadAssetRole, VadAsset>> = {
  model: hashed("silero-vad-v5-16k", "onnx", vadModel()),
  wasm: hashed("ort-wasm-simd-threaded", "wasm", readFileSync(join(ortDist, "ort-wasm-simd-threaded.wasm"))),
  mjs: hashed("ort-wasm-simd-threaded", "mjs", readFileSync(join(ortDist, "ort-wasm-simd-threaded.mjs"))),
};

/** Vite's `define` that gives the loader the file names: `__VAD_ASSETS__` = `{ model, wasm, mjs }`. */
export const vadAssetsDefine: Record<string, string> = {
  __VAD_ASSETS__: JSON.stringify(Object.fromEntries(Object.entries(VAD_ASSETS).map(([role, asset]) => [role, asset.fileName]))),
};

/** Emits {@link VAD_ASSETS} into the bundle (the widget build; the test harness only needs the names). */
export function vadAssets(): Plugin {
  return {
    name: "voice-agent-vad-assets",
    generateBundle() {
      for (const { fileName, source } of Object.values(VAD_ASSETS)) this.emitFile({ type: "asset", fileName, source });
    },
  };
}
