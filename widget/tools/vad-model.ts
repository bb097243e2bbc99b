/** The Silero v5 model in Node: vad-web's published file, and the 16 kHz graph the widget ships and runs. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { silero16k } from "./silero-16k.ts";

const require = createRequire(import.meta.url);

/** Silero v5 as `@ricky0123/vad-web` publishes it (both the 8 kHz and the 16 kHz graph). */
export function publishedVadModel(): Uint8Array {
  return readFileSync(require.resolve("@ricky0123/vad-web/dist/silero_vad_v5.onnx"));
}

/** The model the widget serves and every Node tool runs: {@link publishedVadModel} reduced by {@link silero16k}. */
export function vadModel(): Uint8Array {
  return silero16k(publishedVadModel());
}
