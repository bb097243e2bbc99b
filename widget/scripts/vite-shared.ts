/** Build settings the widget and the audio test harness must share, so the harness runs the shipped setup. */
import { defaultClientConditions, type UserConfig } from "vite";

/** onnxruntime-web's build without embedded glue: it loads the glue and WASM from `wasmPaths`. */
export const resolve: UserConfig["resolve"] = { conditions: [...defaultClientConditions, "onnxruntime-web-use-extern-wasm"] };

/** Flat ES output: every module finds the others relative to its own URL. */
export const build = { target: "es2022", outDir: "dist", emptyOutDir: true, modulePreload: false } as const;
