/**
 * The element's outside world: relay transport, history store and audio engine. The defaults load
 * Dexie and the audio engine (VAD, WASM) lazily; tests and advanced hosts replace them through the
 * element's `services` property (see the `testing` entry for fakes).
 */
import type { AudioEngine } from "./audio/audio-engine.ts";
import type { AudioFactory } from "./conversation/audio-port.ts";
import type { Transport } from "./conversation/transport.ts";
import type { HistoryStore } from "./history/history-store.ts";
import { START_TIMEOUT_MS, within } from "./within.ts";

/** Factories of the element's collaborators. */
export interface VoiceAgentServices {
  /** A transport to the relay at `relayUrl`; one per conversation start. */
  transport(relayUrl: string): Transport | Promise<Transport>;
  /** The persistent history store (rejecting makes the widget fall back to memory). */
  history(): Promise<HistoryStore>;
  /** The audio engine of one conversation. */
  audio: AudioFactory;
}

let engineClass: typeof AudioEngine | undefined;
let enginePromise: Promise<typeof AudioEngine> | undefined;

/** Starts loading the audio engine chunk (call on the first hover/focus so a click finds it loaded). */
export function preloadAudioEngine(): Promise<typeof AudioEngine> {
  enginePromise ??= import("./audio/audio-engine.ts").then((m) => (engineClass = m.AudioEngine));
  return enginePromise;
}

/** The production services. */
export const defaultServices: VoiceAgentServices = {
  transport: async (relayUrl) => new (await import("./relay-client.ts")).RelayClient(relayUrl),
  history: async () => (await import("./history/dexie-history-store.ts")).DexieHistoryStore.open(),
  // The AudioContext is created and resumed here, synchronously inside the click that called start()
  // (before any await): browsers let a context run only from a user gesture. Firefox never runs one
  // that started blocked. The engine waits for it to run, with a deadline.
  audio: (options) => {
    const context = options.context ?? new AudioContext({ latencyHint: "interactive" });
    context.resume().catch(() => {});
    if (engineClass) return new engineClass({ ...options, context });
    const engine = within(preloadAudioEngine(), options.startTimeoutMs ?? START_TIMEOUT_MS, "audio", "Loading the audio engine");
    return engine.then(
      (E) => new E({ ...options, context }),
      (error: unknown) => {
        void context.close();
        throw error;
      },
    );
  },
};
