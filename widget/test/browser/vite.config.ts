/** Builds the audio harness (test/browser/harness.ts) into test/browser/dist for the browser tests. */
import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  logLevel: "warn",
  resolve: { conditions: [...defaultClientConditions, "onnxruntime-web-use-extern-wasm"] },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: false,
    rollupOptions: {
      input: { harness: fileURLToPath(new URL("harness.ts", import.meta.url)) },
      output: { format: "es", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
    },
  },
});
