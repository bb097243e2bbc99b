import { defineConfig } from "vite";
import { build, define, resolve } from "./scripts/vite-shared.ts";
import { minifyCss } from "./scripts/minify-css.ts";
import { precompress } from "./scripts/precompress.ts";
import { vadAssets } from "./scripts/vad-assets.ts";

// One flat folder: the script-tag entry, the two worklets, the audio loop's worker, lazy chunks and the VAD assets (hashed names,
// see scripts/vad-assets.ts), so every module can find the others relative to its own URL; beside each
// compressible file its `.br` and `.gz` copies.
export default defineConfig({
  plugins: [minifyCss(), vadAssets(), precompress()],
  resolve,
  define,
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
