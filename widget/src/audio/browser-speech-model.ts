/** Loads Silero v5 in the browser from the widget's own asset origin (no CDN). */
import { loadSpeechModel, type SpeechModel } from "./speech-model.ts";
import { VAD_MODEL_FILE } from "./vad-model-file.ts";
import { WidgetError } from "../widget-error.ts";

/** Fetches the model, onnxruntime's glue module and its WASM from `assetBase` (absolute, ending in `/`). */
export async function loadBrowserSpeechModel(assetBase: string): Promise<SpeechModel> {
  try {
    const ort = await import("onnxruntime-web/wasm");
    ort.env.wasm.wasmPaths = assetBase;
    const response = await fetch(new URL(VAD_MODEL_FILE, assetBase));
    if (!response.ok) throw new Error(`${VAD_MODEL_FILE}: HTTP ${response.status}`);
    return await loadSpeechModel(ort, await response.arrayBuffer());
  } catch (cause) {
    throw new WidgetError("vad", `The voice activity model could not be loaded from ${assetBase}.`, cause);
  }
}
