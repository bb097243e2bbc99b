/** Opens the microphone and runs it through the capture worklet, which posts 16 kHz frames. */
import { WidgetError } from "../widget-error.ts";
import { CAPTURE_PROCESSOR, type CaptureMessage } from "./worklet-messages.ts";

/** Processing asked of the browser by default: echo cancellation (needed for barge-in), noise suppression, AGC. */
export const DEFAULT_MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 };

/** An open microphone. */
export interface Microphone {
  /** Sample rate the device was captured at, Hz. */
  deviceRate: number;
  /** The capture track's settings as the browser applied them (e.g. whether echo cancellation is on). */
  settings: MediaTrackSettings;
  /** Enables or disables the capture track (disabled tracks deliver silence; the track and its echo canceller stay). */
  setEnabled(enabled: boolean): void;
  close(): void;
}

/** Callbacks of {@link openMicrophone}. */
export interface MicrophoneSink {
  /** Each 512-sample 16 kHz frame, in order, with the context frame of its last sample. */
  frame(samples: Float32Array, endFrame: number): void;
  /** Once, before the first frame: the context frame of the first captured sample. */
  started?(contextFrame: number): void;
}

/**
 * Asks for the mic and feeds `sink` with 16 kHz frames from the capture worklet, whose module
 * (`capture.worklet.js`) must already be loaded into `context`.
 */
export async function openMicrophone(
  context: AudioContext,
  sink: MicrophoneSink | ((samples: Float32Array, endFrame: number) => void),
  constraints: MediaTrackConstraints = DEFAULT_MIC_CONSTRAINTS,
): Promise<Microphone> {
  const { frame, started } = typeof sink === "function" ? { frame: sink, started: undefined } : sink;
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: constraints });
  } catch (cause) {
    const name = (cause as { name?: string }).name;
    if (name === "NotAllowedError" || name === "SecurityError") throw new WidgetError("mic-denied", "Microphone permission was denied.", cause);
    throw new WidgetError("no-mic", "No microphone is available.", cause);
  }
  const source = context.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR, { numberOfOutputs: 0 });
  node.port.onmessage = (event: MessageEvent<CaptureMessage>) => {
    const message = event.data;
    if (message.kind === "frame") frame(message.samples, message.endFrame);
    else started?.(message.contextFrame);
  };
  source.connect(node);
  return {
    deviceRate: context.sampleRate,
    settings: stream.getAudioTracks()[0]?.getSettings() ?? {},
    setEnabled(enabled) {
      for (const track of stream.getAudioTracks()) track.enabled = enabled;
    },
    close() {
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
