/** File name of the Silero v5 model, served beside the widget script. */
export const VAD_MODEL_FILE = "silero_vad_v5.onnx";
