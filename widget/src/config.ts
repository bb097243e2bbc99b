/** The element's configuration: embed attributes plus the `.config` property, resolved in one place. */
import type { EndOfTurnOptions } from "./dsp/end-of-turn.ts";
import { WidgetError } from "./widget-error.ts";

/** Settings of the `.config` property; every field is optional. */
export interface VoiceAgentConfig {
  /** Where the worklets, VAD model and WASM are served (absolute URL). Default: beside the widget script. */
  assetBase?: string;
  /** End-of-turn tuning in ms: `silenceMs` (default 700), `minSpeechMs` (250), `preSpeechPadMs` (96), `postSpeechPadMs` (32), `maxUtteranceMs` (30000), thresholds. */
  turn?: Partial<Omit<EndOfTurnOptions, "frameSamples" | "sampleRate">>;
}

/** Everything the session needs, validated. */
export interface ResolvedConfig {
  relayUrl: string;
  agent: string;
  assetBase: string;
  turn: Partial<Omit<EndOfTurnOptions, "frameSamples" | "sampleRate">>;
}

// Where this module was loaded from: the build keeps every widget file in one folder.
const scriptBase = new URL(/* @vite-ignore */ "./", import.meta.url).href;

/** Validates attributes and `.config`; throws a `config` WidgetError that says what to fix. */
export function resolveConfig(relayUrl: string | undefined, agent: string | undefined, config: VoiceAgentConfig = {}): ResolvedConfig {
  const url = absoluteUrl(relayUrl, "relay-url", 'relay-url="https://relay.example.com"');
  if (!agent) throw new WidgetError("config", '<voice-agent> needs an agent attribute, e.g. agent="support".');
  const assetBase = config.assetBase === undefined ? scriptBase : absoluteUrl(config.assetBase, "config.assetBase", "https://cdn.example.com/voice-agent/");
  const silence = config.turn?.silenceMs;
  if (silence !== undefined && !(silence >= 100 && silence <= 10_000)) {
    throw new WidgetError("config", `config.turn.silenceMs must be between 100 and 10000 ms (got ${silence}).`);
  }
  return { relayUrl: url, agent, assetBase: assetBase.endsWith("/") ? assetBase : `${assetBase}/`, turn: config.turn ?? {} };
}

function absoluteUrl(value: string | undefined, name: string, example: string): string {
  try {
    if (value) return new URL(value).href;
  } catch {
    // reported below
  }
  throw new WidgetError("config", `<voice-agent> ${name} must be an absolute URL, e.g. ${example} (got ${JSON.stringify(value ?? "")}).`);
}
