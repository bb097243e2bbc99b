/** Epoch ms now (`performance.timeOrigin + performance.now()`): one clock for the main thread and a Worker. */
export const epochMs = (): number => performance.timeOrigin + performance.now();
