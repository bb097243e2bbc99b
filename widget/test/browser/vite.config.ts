/** Builds the audio harness (test/browser/harness.ts) into test/browser/dist for the browser tests. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { build, define, resolve } from "../../scripts/vite-shared.ts";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  logLevel: "warn",
  resolve,
  define,
  build: {
    ...build,
    rollupOptions: {
      input: { harness: fileURLToPath(new URL("harness.ts", import.meta.url)) },
      output: { format: "es", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
    },
  },
});
