import type { RecordedRequest } from "./recorded-request.ts";
import type { UpstreamDelays } from "./upstream-delays.ts";

/** What the route factories share with the app that mounts them. */
export interface RouteContext {
  /** The latency profile's delays and the clock to wait on. */
  delays: UpstreamDelays;
  /** Synthesized speech by request (voice, speed, format, input), when the stand-in caches speech. */
  speechCache: Map<string, Int16Array[]> | undefined;
  /** The `session` of each client secret issued (`ek_standin_…`), for WebRTC calls that authenticate with one. */
  clientSecrets: Map<string, Record<string, unknown>>;
  /** Clock, ms since the Unix epoch. */
  now: () => number;
  /** Appends `entry` to the request log and returns the same object, so it can be updated later. */
  record<T extends RecordedRequest>(entry: T): T;
}
