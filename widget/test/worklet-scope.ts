/**
 * An AudioWorkletGlobalScope stand-in for testing a worklet's glue in Node: sets `sampleRate` and
 * `currentFrame` on `globalThis`, a base `AudioWorkletProcessor` whose `port` comes from `port()`, and
 * returns the class the worklet module registers.
 */

/** The node-side port of a processor under test. */
export type WorkletPort = {
  postMessage(message: unknown, transfer?: unknown[]): void;
  onmessage: ((event: { data: unknown }) => void) | null;
};

/** The globals tests advance (`currentFrame`). */
export const workletScope = globalThis as Record<string, unknown>;

/** Installs the scope at `sampleRate`, imports the worklet module and returns its processor class. */
export async function loadWorklet<P>(sampleRate: number, load: () => Promise<unknown>, port: () => WorkletPort): Promise<P> {
  let registered: P | undefined;
  Object.assign(workletScope, {
    sampleRate,
    currentFrame: 0,
    AudioWorkletProcessor: class {
      port = port();
    },
    registerProcessor: (_name: string, ctor: P) => (registered = ctor),
  });
  await load();
  if (!registered) throw new Error("the worklet module registered no processor");
  return registered;
}
