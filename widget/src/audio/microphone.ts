/** Opens the microphone and runs it through the capture worklet, which posts 16 kHz frames. */
import { WidgetError } from "../widget-error.ts";
import { CAPTURE_PROCESSOR, type CaptureMessage } from "./worklet-messages.ts";

/** An open microphone. */
export interface Microphone {
  /** Sample rate the device was captured at, Hz. */
  deviceRate: number;
  close(): void;
}

/** Asks for the mic (echo cancellation on) and calls `onFrame` with each 512-sample 16 kHz frame. */
export async function openMicrophone(
  context: AudioContext,
  workletUrl: string,
  onFrame: (samples: Float32Array) => void,
): Promise<Microphone> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
  } catch (cause) {
    const name = (cause as { name?: string }).name;
    if (name === "NotAllowedError" || name === "SecurityError") throw new WidgetError("mic-denied", "Microphone permission was denied.", cause);
    throw new WidgetError("no-mic", "No microphone is available.", cause);
  }
  await context.audioWorklet.addModule(workletUrl);
  const source = context.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR, { numberOfOutputs: 0 });
  node.port.onmessage = (event: MessageEvent<CaptureMessage>) => onFrame(event.data.samples);
  source.connect(node);
  return {
    deviceRate: context.sampleRate,
    close() {
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
