import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { defineConfig, type Plugin } from "vite";
import { build, resolve } from "./scripts/vite-shared.ts";
import { VAD_MODEL_FILE } from "./src/audio/vad-model-file.ts";

const require = createRequire(import.meta.url);
const vadDist = dirname(require.resolve("@ricky0123/vad-web/dist/index.js"));
const ortDist = dirname(require.resolve("onnxruntime-web/wasm"));

/**
 * Emits the Silero v5 model and onnxruntime's WASM and its glue module beside the widget script, under
 * their own names (they are loaded from `assetBase`, by default our own origin; never a CDN).
 */
function vadAssets(): Plugin {
  const files = {
    [VAD_MODEL_FILE]: join(vadDist, VAD_MODEL_FILE),
    "ort-wasm-simd-threaded.wasm": join(ortDist, "ort-wasm-simd-threaded.wasm"),
    "ort-wasm-simd-threaded.mjs": join(ortDist, "ort-wasm-simd-threaded.mjs"),
  };
  return {
    name: "voice-agent-vad-assets",
    generateBundle() {
      for (const [fileName, path] of Object.entries(files)) this.emitFile({ type: "asset", fileName, source: readFileSync(path) });
    },
  };
}

// One flat folder: the script-tag entry, the two worklets, the audio loop's worker, lazy chunks and the VAD assets, so every
// module can find the others relative to its own URL.
export default defineConfig({
  plugins: [vadAssets()],
  resolve,
  build: {
    ...build,
    rollupOptions: {
      input: {
        "voice-agent": "src/define.ts",
        "capture.worklet": "src/audio/capture.worklet.ts",
        "playback.worklet": "src/audio/playback.worklet.ts",
        "audio-loop.worker": "src/audio/audio-loop.worker.ts",
      },
      preserveEntrySignatures: "exports-only",
      output: {
        format: "es",
        entryFileNames: "[name].js",
        chunkFileNames: "[name]-[hash].js",
        assetFileNames: "[name]-[hash][extname]",
      },
    },
  },
});
