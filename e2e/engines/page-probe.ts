/**
 * Scripts a journey installs in the page, in every engine: the widget's event log and the microphone.
 * Each is one self-contained function (it is serialized into the page): Chromium and Firefox run them
 * before the page's own scripts, WebKit (no preload scripts in WebDriver classic) right after `load`,
 * which is before the visitor clicks anything.
 */

/** What `window.vaLog` holds. */
export interface VaLog {
  /** `va-state` kinds in order (`error:<code>` for errors). */
  states: string[];
  errors: { code: string; message: string; fatal: boolean }[];
  transcripts: { role: string; text: string; final: boolean; messageId: string }[];
  playback: { replyId: number; playedFrames: number; playedMs: number; peak: number; underruns: number }[];
  metrics: Record<string, unknown>[];
  interruptions: { messageId: string; replyId: number; playedMs: number; heardText: string; fullText: string }[];
  /** Content-Security-Policy violations on the page. */
  csp: { directive: string; blocked: string }[];
}

/** Keeps every `va-*` event the element dispatches in `window.vaLog` (once per document). */
export function installEventLog(): void {
  const w = window as unknown as { vaLog?: VaLog };
  if (w.vaLog) return;
  const log = { states: [], errors: [], transcripts: [], playback: [], metrics: [], interruptions: [], csp: [] } as unknown as VaLog;
  w.vaLog = log;
  const on = (name: string, push: (detail: never) => void) =>
    document.addEventListener(name, (e) => push((e as CustomEvent).detail as never));
  on("va-state", (d: { kind: string; code?: string }) => log.states.push(d.kind === "error" ? `error:${d.code}` : d.kind));
  on("va-error", (d: VaLog["errors"][number]) => log.errors.push(d));
  on("va-transcript", (d: VaLog["transcripts"][number]) => log.transcripts.push(d));
  on("va-playback", (d: VaLog["playback"][number]) => log.playback.push(d));
  on("va-metrics", (d: Record<string, unknown>) => log.metrics.push(d));
  on("va-interruption", (d: VaLog["interruptions"][number]) => log.interruptions.push(d));
  document.addEventListener("securitypolicyviolation", (e) => log.csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
}

/**
 * How the page's microphone behaves: `browser` leaves it to the browser (Chromium's fake device, a
 * refusing permission policy), `deny` refuses as a visitor's "Block" does, `wav` plays a WAV (base64).
 */
export type PageMic = { kind: "browser" } | { kind: "deny" } | { kind: "wav"; base64: string };

/**
 * Wraps `MediaDevices.prototype.getUserMedia` (the prototype: WebKit loses an override set on the
 * instance) and records each outcome in `window.micCalls` (`granted` or the error's name). For `wav`,
 * the stream is a MediaStreamDestination of the page's own AudioContext playing the decoded WAV once over
 * a −80 dBFS noise floor: Firefox gives a worklet quanta with no channels for a digitally silent track.
 * This path has no echo cancellation, noise suppression or AGC.
 */
export function installMicrophone(mic: PageMic): void {
  const w = window as unknown as { micCalls?: string[] };
  if (w.micCalls) return;
  const calls: string[] = [];
  w.micCalls = calls;
  const original = MediaDevices.prototype.getUserMedia;
  const fake = async (base64: string): Promise<MediaStream> => {
    const context = new AudioContext();
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const speech = context.createBufferSource();
    speech.buffer = await context.decodeAudioData(bytes.buffer);
    // Filled before it is given to its source: a buffer filled afterwards plays silence in Firefox.
    const floor = context.createBuffer(1, context.sampleRate, context.sampleRate);
    const samples = floor.getChannelData(0);
    for (let i = 0; i < samples.length; i++) samples[i] = (Math.random() * 2 - 1) * 1.7e-4; // RMS 1e-4: −80 dBFS
    const noise = context.createBufferSource();
    noise.buffer = floor;
    noise.loop = true;
    const out = context.createMediaStreamDestination();
    speech.connect(out);
    noise.connect(out);
    noise.start();
    speech.start();
    // Not awaited: Firefox never settles resume() on a context that started blocked.
    void context.resume();
    return out.stream;
  };
  MediaDevices.prototype.getUserMedia = async function (this: MediaDevices, constraints?: MediaStreamConstraints) {
    try {
      if (mic.kind === "deny") throw new DOMException("Permission denied", "NotAllowedError");
      const stream = mic.kind === "wav" ? await fake(mic.base64) : await original.call(this, constraints);
      calls.push("granted");
      return stream;
    } catch (error) {
      calls.push((error as Error).name);
      throw error;
    }
  };
}
