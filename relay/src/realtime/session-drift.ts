import type { RealtimeSessionCreateRequest } from "openai/resources/realtime/realtime";

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Paths of the session fields the agent fixes and a provider echoes back in `session.updated`. */
const FIXED: readonly (readonly string[])[] = [
  ["model"],
  ["instructions"],
  ["max_output_tokens"],
  ["audio", "output", "voice"],
  ["audio", "output", "speed"],
  ["audio", "input", "turn_detection", "type"],
];

function at(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (isJson(node) ? node[key] : undefined), value);
}

const toolNames = (session: unknown) =>
  (Array.isArray(at(session, ["tools"])) ? (at(session, ["tools"]) as unknown[]) : [])
    .map((tool) => (isJson(tool) ? String(tool.name) : ""))
    .sort()
    .join(",");

/**
 * The fixed fields (dotted paths, `tools` for the tools' names) in which the provider's echo of the session
 * differs from the agent's: what a browser changed through its own events. A field the echo leaves out
 * is not a difference (providers echo what they keep).
 */
export function sessionDrift(fixed: RealtimeSessionCreateRequest, echoed: unknown): string[] {
  if (!isJson(echoed)) return [];
  const drift = FIXED.filter((path) => {
    const seen = at(echoed, path);
    return seen !== undefined && JSON.stringify(seen) !== JSON.stringify(at(fixed, path) ?? null);
  }).map((path) => path.join("."));
  if (echoed.tools !== undefined && toolNames(echoed) !== toolNames(fixed)) drift.push("tools");
  return drift;
}
