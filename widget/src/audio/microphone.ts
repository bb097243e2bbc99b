/** Opens the microphone and runs it through the capture worklet, which posts 16 kHz frames to the audio loop. */
import { WidgetError } from "../widget-error.ts";
import { CAPTURE_PROCESSOR, type ConnectCommand } from "./worklet-messages.ts";

/** Processing asked of the browser by default: echo cancellation (needed for barge-in), noise suppression, AGC. */
export const DEFAULT_MIC_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
  channelCount: 1,
};

/** An open microphone. */
export interface Microphone {
  /** Sample rate the device was captured at, Hz. */
  deviceRate: number;
  /** The capture track (echo cancellation on), for a WebRTC call to send as it is. */
  track: MediaStreamTrack | undefined;
  /** The capture track's settings as the browser applied them (e.g. whether echo cancellation is on). */
  settings: MediaTrackSettings;
  /** Enables or disables the capture track (disabled tracks deliver silence; the track and its echo canceller stay). */
  setEnabled(enabled: boolean): void;
  close(): void;
}

/**
 * Asks for the mic and has the capture worklet, whose module (`capture.worklet.js`) must already be
 * loaded into `context`, post its 16 kHz frames (`CaptureMessage`) to `loop`.
 */
export async function openMicrophone(
  context: AudioContext,
  loop: MessagePort,
  constraints: MediaTrackConstraints = DEFAULT_MIC_CONSTRAINTS,
): Promise<Microphone> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: constraints });
  } catch (cause) {
    const name = (cause as { name?: string }).name;
    if (name === "NotAllowedError" || name === "SecurityError")
      throw new WidgetError("mic-denied", "Microphone permission was denied.", cause);
    throw new WidgetError("no-mic", "No microphone is available.", cause);
  }
  const source = context.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR, { numberOfOutputs: 0 });
  const connect: ConnectCommand = { kind: "connect", port: loop };
  node.port.postMessage(connect, [loop]);
  source.connect(node);
  return {
    deviceRate: context.sampleRate,
    track: stream.getAudioTracks()[0],
    settings: stream.getAudioTracks()[0]?.getSettings() ?? {},
    setEnabled(enabled) {
      for (const track of stream.getAudioTracks()) track.enabled = enabled;
    },
    close() {
      source.disconnect();
      node.disconnect();
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
