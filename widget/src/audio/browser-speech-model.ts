/** Loads Silero v5 in the browser from the widget's own asset origin (no CDN). */
import { loadSpeechModel, type SpeechModel } from "./speech-model.ts";
import { WidgetError } from "../widget-error.ts";

/**
 * File names of the model, onnxruntime's WASM and its glue module, content-hashed (so they can be cached
 * as immutable). Replaced at build time by `scripts/vad-assets.ts` through Vite's `define`.
 */
declare const __VAD_ASSETS__: { model: string; wasm: string; mjs: string };

/** Fetches the model, onnxruntime's glue module and its WASM from `assetBase` (absolute, ending in `/`). */
export async function loadBrowserSpeechModel(assetBase: string): Promise<SpeechModel> {
  try {
    if (typeof __VAD_ASSETS__ === "undefined")
      throw new Error("__VAD_ASSETS__ is not defined: build with the widget's Vite config (scripts/vite-shared.ts)");
    const files = __VAD_ASSETS__;
    const ort = await import("onnxruntime-web/wasm");
    ort.env.wasm.wasmPaths = { wasm: new URL(files.wasm, assetBase).href, mjs: new URL(files.mjs, assetBase).href };
    const response = await fetch(new URL(files.model, assetBase));
    if (!response.ok) throw new Error(`${files.model}: HTTP ${response.status}`);
    return await loadSpeechModel(ort, await response.arrayBuffer());
  } catch (cause) {
    throw new WidgetError("vad", `The voice activity model could not be loaded from ${assetBase}.`, cause);
  }
}
