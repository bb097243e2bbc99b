/** Build settings the widget and the audio test harness must share, so the harness runs the shipped setup. */
import { defaultClientConditions, type UserConfig } from "vite";
import { vadAssetsDefine } from "./vad-assets.ts";

/** onnxruntime-web's build without embedded glue: it loads the glue and WASM from `wasmPaths`. */
export const resolve: UserConfig["resolve"] = { conditions: [...defaultClientConditions, "onnxruntime-web-use-extern-wasm"] };

/** Compile-time constants: the VAD assets' hashed file names (`__VAD_ASSETS__`). */
export const define: UserConfig["define"] = vadAssetsDefine;

/** Flat ES output: every module finds the others relative to its own URL. */
export const build = { target: "es2022", outDir: "dist", emptyOutDir: true, modulePreload: false } as const;
