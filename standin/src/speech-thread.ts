import { Worker } from "node:worker_threads";
import type { SynthesizeOptions } from "./speech.ts";

type Pending = { resolve: (pcm: Int16Array) => void; reject: (error: Error) => void };

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let ids = 0;

function thread(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL("./speech-worker.ts", import.meta.url));
  started.unref();
  started.on("message", (answer: { id: number; pcm?: Int16Array; error?: string }) => {
    const waiting = pending.get(answer.id);
    pending.delete(answer.id);
    if (answer.pcm) waiting?.resolve(answer.pcm);
    else waiting?.reject(new Error(answer.error ?? "eSpeak NG failed"));
  });
  started.on("error", (error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    worker = undefined;
  });
  worker = started;
  return started;
}

/**
 * {@link synthesize} in a worker thread: eSpeak NG's run blocks the thread it runs on for as long as the
 * text takes to speak (hundreds of ms for a reply), and on the stand-in's event loop that stalled the
 * WebRTC pacer (late frames, then a burst: Chromium's jitter buffer grew to a second). One shared worker,
 * requests answered in order; a crashed worker fails its requests and is replaced on the next.
 */
export function synthesizeOffThread(text: string, options: SynthesizeOptions = {}): Promise<Int16Array> {
  return new Promise((resolve, reject) => {
    const id = ++ids;
    pending.set(id, { resolve, reject });
    thread().postMessage({ id, text, options });
  });
}
