/**
 * Starts the audio loop where it runs best on this embed, and hands the engine one port to it:
 *
 * - `worker`: the widget's assets are on the page's own origin (or a same-origin bootstrap file is given):
 *   `new Worker(audio-loop.worker.js)`. Under a CSP, `worker-src` (or `script-src`) must allow that URL.
 * - `worker-bootstrap`: the assets are on another origin (the one-tag embed serves them from the relay),
 *   where `new Worker()` would throw: a one-line same-origin module (a `blob:` URL) imports the
 *   worker script from the asset origin. Under a CSP it needs `worker-src blob: <asset origin>` (the
 *   bootstrap inherits the page's policy, and a module worker's imports are checked against `worker-src`).
 * - `main-thread`: no Worker could start (a CSP refusing both, an old engine): the same loop runs
 *   on the page's main thread, where a busy host page delays its decisions.
 */
import type { LoopCommand, LoopEvent, AudioLoopPath } from "./loop-messages.ts";

/** The engine's end of the running loop. */
export interface AudioLoopHandle {
  path: AudioLoopPath;
  post(command: LoopCommand, transfer?: Transferable[]): void;
  /** Receives every event after `alive`. */
  onevent: ((event: Exclude<LoopEvent, { kind: "alive" }>) => void) | undefined;
  close(): void;
}

export interface AudioLoopHostOptions {
  /** Absolute URL (ending in `/`) of the widget's assets, where `audio-loop.worker.js` is. */
  assetBase: string;
  /**
   * `auto`: a Worker when one starts, else the main thread. `main-thread`: no Worker. Otherwise the
   * absolute URL of a same-origin worker script, for pages whose CSP allows workers from their own origin
   * only: a file with the one line `import "<assetBase>audio-loop.worker.js";` (then the main thread
   * when it does not start).
   */
  worker: string;
  /** Longest wait for a Worker's module to run before falling back, ms. */
  timeoutMs: number;
}

/** The worker script's file name beside the widget script. */
export const AUDIO_LOOP_WORKER_FILE = "audio-loop.worker.js";

/** Starts the loop: a Worker when one starts (it says `alive`), the main thread otherwise. */
export async function startAudioLoop(options: AudioLoopHostOptions): Promise<AudioLoopHandle> {
  if (options.worker !== "main-thread") {
    for (const [url, path] of workerCandidates(options)) {
      const handle = await startWorker(url, path, options.timeoutMs);
      if (handle) return handle;
    }
  }
  const { serveAudioLoop } = await import("./audio-loop.ts");
  const { loadBrowserSpeechModel } = await import("./browser-speech-model.ts");
  const channel = new MessageChannel();
  serveAudioLoop(channel.port2, loadBrowserSpeechModel);
  return portHandle(channel.port1, "main-thread", () => {
    channel.port1.close();
    channel.port2.close();
  });
}

function workerCandidates({ assetBase, worker }: AudioLoopHostOptions): [string, AudioLoopPath][] {
  if (worker !== "auto") return [[worker, "worker"]];
  const script = new URL(AUDIO_LOOP_WORKER_FILE, assetBase).href;
  if (new URL(script).origin === location.origin) return [[script, "worker"]];
  const candidates: [string, AudioLoopPath][] = [];
  const bootstrap = URL.createObjectURL(new Blob([`import ${JSON.stringify(script)};`], { type: "text/javascript" }));
  candidates.push([bootstrap, "worker-bootstrap"]);
  return candidates;
}

/** A Worker at `url` once its module ran, or undefined when it could not start. */
function startWorker(url: string, path: AudioLoopPath, timeoutMs: number): Promise<AudioLoopHandle | undefined> {
  let worker: Worker;
  try {
    worker = new Worker(url, { type: "module", name: "voice-agent audio loop" });
  } catch {
    return Promise.resolve(undefined); // a CSP or a cross-origin URL the browser refuses at once
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    const settle = (handle: AudioLoopHandle | undefined) => {
      clearTimeout(timer);
      worker.onerror = null;
      if (url.startsWith("blob:")) URL.revokeObjectURL(url);
      if (!handle) worker.terminate();
      resolve(handle);
    };
    // A refused or failed script load (CSP, network, a module error) fires `error` before `alive`.
    worker.onerror = (event) => {
      event.preventDefault();
      settle(undefined);
    };
    worker.onmessage = (event: MessageEvent<LoopEvent>) => {
      if (event.data.kind === "alive") settle(portHandle(worker, path, () => worker.terminate()));
    };
  });
}

function portHandle(port: MessagePort | Worker, path: AudioLoopPath, close: () => void): AudioLoopHandle {
  const handle: AudioLoopHandle = {
    path,
    post: (command, transfer = []) => port.postMessage(command, transfer),
    onevent: undefined,
    close: () => {
      port.postMessage({ kind: "close" } satisfies LoopCommand);
      port.onmessage = null;
      close();
    },
  };
  port.onmessage = (event: MessageEvent<LoopEvent>) => {
    const data = event.data;
    if (data.kind !== "alive") handle.onevent?.(data);
  };
  return handle;
}
