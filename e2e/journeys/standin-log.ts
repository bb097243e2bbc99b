/** The stand-in's log of the upstream requests the relay made (its `/__standin/requests` test API). */
import { E2E } from "../stack-ports.ts";

/** One request the stand-in received, as far as the journeys read it. */
export interface StandinRequest {
  route: string;
  sampleRate?: number;
  channels?: number;
  durationMs?: number;
  messages?: { role: string; content: string }[];
  input?: string;
}

/** Empties the log (each journey starts from none). */
export async function clearStandinRequests(): Promise<void> {
  await fetch(`${E2E.standinUrl}/__standin/requests`, { method: "DELETE" });
}

/** The requests so far, oldest first. */
export async function standinRequests(): Promise<StandinRequest[]> {
  return (await (await fetch(`${E2E.standinUrl}/__standin/requests`)).json()) as StandinRequest[];
}
