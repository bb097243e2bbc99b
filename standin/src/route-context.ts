import type { RecordedRequest } from './recorded-request.ts';

/** What the route factories share with the app that mounts them. */
export interface RouteContext {
  /** Pause between streamed text deltas, ms. */
  tokenDelayMs: number;
  /** Synthesized speech by request (voice, speed, format, input), when the stand-in caches speech. */
  speechCache: Map<string, Int16Array[]> | undefined;
  /** Pause before each streamed PCM speech chunk after the first, ms. */
  speechChunkDelayMs: number;
  /** Clock, ms since the Unix epoch. */
  now: () => number;
  /** Appends `entry` to the request log and returns the same object, so it can be updated later. */
  record<T extends RecordedRequest>(entry: T): T;
}
