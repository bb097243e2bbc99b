import type { LatencyProfile } from "./latency-profile.ts";

/** Waits `ms` (resolving early, never rejecting, once `signal` aborts). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A `setTimeout` {@link Sleep}; resolves at once for `ms` ≤ 0. */
export const sleep: Sleep = (ms, signal) => {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
};

/**
 * The delays of one stand-in under a {@link LatencyProfile}: each call draws the next jittered delay
 * (ms) from the profile's seeded PRNG, and {@link until} waits on the injected clock.
 */
export class UpstreamDelays {
  readonly #profile: LatencyProfile;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #sleep: Sleep;

  constructor(profile: LatencyProfile, clock: { now: () => number; sleep: Sleep }) {
    this.#profile = profile;
    this.#random = mulberry32(profile.seed);
    this.#now = clock.now;
    this.#sleep = clock.sleep;
  }

  /** Arrival → transcript for `audioMs` of audio. */
  transcription(audioMs: number): number {
    return this.#jitter(this.#profile.sttBaseMs + (this.#profile.sttPerAudioSecondMs * audioMs) / 1000);
  }

  /** Arrival → first content delta of a chat stream. */
  firstToken(): number {
    return this.#jitter(this.#profile.llmFirstTokenMs);
  }

  /** Between later word deltas. */
  nextToken(): number {
    return this.#jitter(this.#profile.llmPerTokenMs);
  }

  /** Arrival → first byte of speech. */
  firstByte(): number {
    return this.#jitter(this.#profile.ttsFirstByteMs);
  }

  /** Time to stream `audioMs` of speech at the profile's pace; 0 when unpaced. */
  speech(audioMs: number): number {
    return this.#profile.ttsPace > 0 ? this.#jitter(audioMs / this.#profile.ttsPace) : 0;
  }

  /** Resolves once the clock reaches `at` (ms), or at once when `signal` aborts. */
  until(at: number, signal?: AbortSignal): Promise<void> {
    return this.#sleep(at - this.#now(), signal);
  }

  #jitter(ms: number): number {
    const { jitter } = this.#profile;
    return jitter > 0 && ms > 0 ? ms * (1 + jitter * (2 * this.#random() - 1)) : ms;
  }
}

/** mulberry32: a small, fast 32-bit PRNG, uniform in [0, 1); the same seed gives the same sequence. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
