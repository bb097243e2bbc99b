/**
 * How much of a WebRTC call's remote audio was played out, from the peer connection's `getStats()`: the
 * samples the jitter buffer emitted (real decoded audio: concealment and gaps do not count) and the
 * device's average playout delay. Measured in `docs/research/webrtc-spike.md`: within 20–80 ms of what the
 * sender sent, on loopback.
 */

/** Opus's RTP clock and Chromium's decoded rate: samples per ms. */
const SAMPLES_PER_MS = 48;

/** One reading of the remote audio's playout. */
export interface Playout {
  /** Samples (48 kHz) of real audio played out of the jitter buffer since the track began. */
  playedSamples: number;
  /** The average delay from the jitter buffer to the speaker, ms (0 where the browser does not say). */
  delayMs: number;
}

/** A stats entry as `RTCStatsReport` holds it (only the fields read here). */
type Stats = { type: string; kind?: string; id?: string } & Record<string, unknown>;

/**
 * The playout of the first inbound audio stream of `report` (an `RTCStatsReport`'s values), or undefined
 * when it has none yet. `inbound-rtp.jitterBufferEmittedCount`, else (older engines)
 * `totalSamplesReceived − concealedSamples`; the delay from its `media-playout` entry
 * (`totalPlayoutDelay / totalSamplesCount`).
 */
export function playoutOf(report: Iterable<Stats>): Playout | undefined {
  const all = [...report];
  const inbound = all.find((s) => s.type === "inbound-rtp" && s.kind === "audio");
  if (!inbound) return undefined;
  const emitted = number(inbound.jitterBufferEmittedCount);
  const playedSamples = emitted ?? Math.max(0, (number(inbound.totalSamplesReceived) ?? 0) - (number(inbound.concealedSamples) ?? 0));
  const playout = all.find((s) => s.type === "media-playout" && (inbound.playoutId === undefined || s.id === inbound.playoutId));
  const delay = number(playout?.totalPlayoutDelay);
  const count = number(playout?.totalSamplesCount);
  return { playedSamples, delayMs: delay !== undefined && count ? (delay / count) * 1000 : 0 };
}

/**
 * The audio heard between two readings, ms: what the jitter buffer played out since `base`, less what is
 * still between it and the speaker at `now`; never below 0. A missing reading counts as no audio.
 */
export function heardBetween(base: Playout | undefined, now: Playout | undefined): number {
  if (!now) return 0;
  const played = (now.playedSamples - (base?.playedSamples ?? 0)) / SAMPLES_PER_MS;
  return played > 0 ? Math.max(0, played - now.delayMs) : 0;
}

function number(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
