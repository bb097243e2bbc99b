/** Deadlines for the waits of start-up (engine chunk, AudioContext, worklets, VAD model). */
import { WidgetError, type WidgetErrorCode } from "./widget-error.ts";

/** Default longest wait for the audio engine chunk, the AudioContext to run and the worklets to load, each: 6000 ms. */
export const START_TIMEOUT_MS = 6000;
/** Default longest wait for the voice activity model (model file, WASM): 30000 ms. */
export const VAD_TIMEOUT_MS = 30_000;

/**
 * Settles like `promise`, or rejects with a WidgetError of `code` when `promise` has not settled after
 * `ms` milliseconds or rejects with anything but a WidgetError (kept as the `cause`). `step` names the
 * wait in the message, e.g. "Starting the AudioContext" → "Starting the AudioContext did not finish
 * within 6000 ms.". The timer is cleared as soon as `promise` settles; `promise` is not cancelled.
 */
export function within<T>(promise: Promise<T>, ms: number, code: WidgetErrorCode, step: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (cause?: unknown) =>
      reject(cause instanceof WidgetError ? cause : new WidgetError(code, `${step} did not finish within ${ms} ms.`, cause));
    const timer = setTimeout(fail, ms);
    promise.then(resolve, fail).finally(() => clearTimeout(timer));
  });
}
