/** The element's configuration: embed attributes plus the `.config` property, resolved in one place. */
import type { EndOfTurnOptions } from "@voice-agent/dsp";
import { DEFAULT_STRINGS, type VoiceAgentStrings } from "./voice-agent.strings.ts";
import { WidgetError } from "./widget-error.ts";

/** How the visitor talks: `cascade` (mic → STT → LLM → TTS, the default) or `text` (typing only, no mic). */
export type VoiceAgentMode = "cascade" | "text" | "realtime";

/**
 * How a `realtime` conversation reaches the provider: `websocket` (default: the relay's realtime WebSocket
 * carries the events and the audio, played by the widget's own playback worklet) or `webrtc` (the relay
 * creates a WebRTC call: the microphone and the reply go as media tracks straight to the provider, the events
 * on its data channel).
 */
export type RealtimeTransportKind = "websocket" | "webrtc";

const TRANSPORTS: readonly RealtimeTransportKind[] = ["websocket", "webrtc"];

/** `launcher` (default): a floating button opens the panel. `inline`: the panel is part of the page. */
export type VoiceAgentLayout = "launcher" | "inline";

const LAYOUTS: readonly VoiceAgentLayout[] = ["launcher", "inline"];

/** Context a client tool handler receives. */
export interface ClientToolContext {
  /** The model's id of this call. */
  callId: string;
  /** Aborted when the visitor interrupts or ends the conversation. */
  signal: AbortSignal;
}

/**
 * A client tool: runs in the page when the model calls the tool of the same name (declared in the agent
 * configuration on the relay). Receives the parsed JSON arguments; its result is sent back to the model
 * as JSON. A thrown error is sent back as `{ "error": message }`.
 */
export type ClientTool = (args: unknown, context: ClientToolContext) => unknown;

/** Settings of the `.config` property; every field is optional. */
export interface VoiceAgentConfig {
  /** Where the worklets, VAD model and WASM are served (absolute URL). Default: beside the widget script. */
  assetBase?: string;
  /**
   * Where the audio loop (VAD, end of turn, barge-in) runs. `auto` (default): in a Worker (from the assets'
   * origin when it is the page's, else through a `blob:` bootstrap), on the main thread when none starts.
   * `main-thread`: never try a Worker (no CSP report on a page that refuses `blob:` workers). A URL (may be
   * relative to the page): a same-origin file containing `import "<assetBase>audio-loop.worker.js";`, for
   * a CSP that allows workers from the page's origin only.
   */
  audioWorker?: string;
  /**
   * End-of-turn tuning in ms: `silenceMs` (default 700, 100–10000), `minSpeechMs` (250), pads,
   * `maxUtteranceMs` (30000), `pauseMs` (250; 0 or 100 up to `silenceMs`): the pause at which the speech so
   * far is sent for transcription ahead of the turn's end, when the agent allows it (its `speculation`).
   */
  turn?: Partial<Omit<EndOfTurnOptions, "frameSamples" | "sampleRate">>;
  /** Turns of local history sent to the model as context (a turn = a visitor message and the reply). Default 20, 1–200. */
  contextTurns?: number;
  /** Renew the relay session this long before its token expires, ms. Default 60000. */
  refreshLeadMs?: number;
  /** Waits before each reconnect attempt after a network drop, ms. Default [1000, 2000, 4000, 8000, 15000]. */
  reconnectDelaysMs?: number[];
  /** Where history is kept: `indexeddb` (default; falls back to memory when unavailable) or `memory`. */
  history?: "indexeddb" | "memory";
  /** Speak the agent's greeting when a new conversation starts. Default true. */
  greet?: boolean;
  /** `launcher` (default) or `inline`; the `layout` attribute wins over it. */
  layout?: VoiceAgentLayout;
  /** `websocket` (default) or `webrtc`, for `mode="realtime"`; the `transport` attribute wins over it. */
  transport?: RealtimeTransportKind;
  /** Client tools by name. Default none. */
  tools?: Record<string, ClientTool>;
  /**
   * Page context for the agent, e.g. `{ name: "Ada", plan: "pro" }`: sent to the relay when a session
   * opens; the relay checks it against the variables the agent declares (names, types, lengths) and puts
   * the values into the agent's instructions as data. A flat object of strings, numbers and booleans.
   */
  context?: Record<string, string | number | boolean>;
  /**
   * Replacement strings, over those of the element's language (English, French, German, Spanish and Italian
   * ship with the widget); `states` and `errors` may be given in part.
   */
  strings?: Partial<Omit<VoiceAgentStrings, "states" | "errors">> & {
    states?: Partial<VoiceAgentStrings["states"]>;
    errors?: Partial<VoiceAgentStrings["errors"]>;
  };
}

/** The embed attributes. */
export interface VoiceAgentAttributes {
  relayUrl: string | undefined;
  agent: string | undefined;
  mode: string | undefined;
  lang: string | undefined;
  layout: string | undefined;
  transport?: string | undefined;
}

/** Everything the session needs, validated, with defaults applied. */
export interface ResolvedConfig {
  relayUrl: string;
  agent: string;
  mode: VoiceAgentMode;
  /** How a `realtime` conversation reaches the provider (ignored by the other modes). */
  transport: RealtimeTransportKind;
  /** The element's language: its `lang`, else the nearest ancestor's, else the page's; undefined when none is set. */
  lang: string | undefined;
  assetBase: string;
  /** `auto`, `main-thread` or the absolute URL of a same-origin worker bootstrap. */
  audioWorker: string;
  turn: Partial<Omit<EndOfTurnOptions, "frameSamples" | "sampleRate">>;
  contextTurns: number;
  refreshLeadMs: number;
  reconnectDelaysMs: number[];
  history: "indexeddb" | "memory";
  greet: boolean;
  layout: VoiceAgentLayout;
  tools: Record<string, ClientTool>;
  /** `.config.context`, checked for its shape only (the relay is the authority); undefined when not given. */
  context: Record<string, string | number | boolean> | undefined;
  strings: VoiceAgentStrings;
}

// Where this module was loaded from: the build keeps every widget file in one folder.
const scriptBase = new URL(/* @vite-ignore */ "./", import.meta.url).href;

/**
 * Validates attributes and `.config`; throws a `config` WidgetError that says what to fix. `config.strings`
 * apply over `baseStrings` (the strings of the page's language, English by default).
 */
export function resolveConfig(
  attributes: VoiceAgentAttributes,
  config: VoiceAgentConfig = {},
  baseStrings: VoiceAgentStrings = DEFAULT_STRINGS,
): ResolvedConfig {
  const relayUrl = absoluteUrl(attributes.relayUrl, "the relay-url attribute", 'relay-url="https://relay.example.com"');
  if (!attributes.agent) throw new WidgetError("config", '<voice-agent> needs an agent attribute, e.g. agent="support".');
  const mode = attributes.mode ?? "cascade";
  if (mode !== "cascade" && mode !== "text" && mode !== "realtime")
    throw new WidgetError("config", `<voice-agent> mode must be "cascade", "realtime" or "text" (got ${JSON.stringify(mode)}).`);
  const assetBase =
    config.assetBase === undefined ? scriptBase : absoluteUrl(config.assetBase, "config.assetBase", "https://cdn.example.com/voice-agent/");
  const silence = config.turn?.silenceMs;
  if (silence !== undefined && !(silence >= 100 && silence <= 10_000)) {
    throw new WidgetError("config", `config.turn.silenceMs must be between 100 and 10000 ms (got ${silence}).`);
  }
  const pause = config.turn?.pauseMs;
  if (pause !== undefined && !(pause === 0 || (pause >= 100 && pause < (silence ?? 700)))) {
    throw new WidgetError("config", `config.turn.pauseMs must be 0 (off) or from 100 ms up to silenceMs (got ${pause}).`);
  }
  const reconnectDelaysMs = config.reconnectDelaysMs ?? [1000, 2000, 4000, 8000, 15_000];
  if (!Array.isArray(reconnectDelaysMs) || reconnectDelaysMs.some((d) => !(d >= 0))) {
    throw new WidgetError(
      "config",
      `config.reconnectDelaysMs must be an array of waits in ms ≥ 0, e.g. [1000, 2000, 4000] (got ${JSON.stringify(config.reconnectDelaysMs)}).`,
    );
  }
  const tools = config.tools ?? {};
  for (const [name, handler] of Object.entries(tools)) {
    if (typeof handler !== "function")
      throw new WidgetError("config", `config.tools.${name} must be a function (args, { callId, signal }) => result.`);
  }
  const strings = config.strings ?? {};
  return {
    relayUrl,
    agent: attributes.agent,
    mode,
    transport: transportOf(attributes.transport, config.transport),
    lang: attributes.lang || undefined,
    assetBase: assetBase.endsWith("/") ? assetBase : `${assetBase}/`,
    audioWorker: audioWorker(config.audioWorker),
    turn: { pauseMs: 250, ...config.turn },
    contextTurns: integer(config.contextTurns, "contextTurns", 20, 1, 200),
    refreshLeadMs: integer(config.refreshLeadMs, "refreshLeadMs", 60_000, 0, 3_600_000),
    reconnectDelaysMs,
    history: oneOf(config.history, "history", ["indexeddb", "memory"] as const),
    greet: config.greet ?? true,
    layout: layoutOf(attributes.layout, config.layout),
    tools,
    context: pageContext(config.context),
    strings: {
      ...baseStrings,
      ...strings,
      states: { ...baseStrings.states, ...strings.states },
      errors: { ...baseStrings.errors, ...strings.errors },
    },
  };
}

/**
 * The layout: the `layout` attribute, else `config.layout`, else `launcher`. Throws a `config` WidgetError
 * for any other value.
 */
export function layoutOf(attribute: string | undefined, configured: VoiceAgentLayout | undefined): VoiceAgentLayout {
  if (!attribute) return oneOf(configured, "layout", LAYOUTS);
  if (LAYOUTS.includes(attribute as VoiceAgentLayout)) return attribute as VoiceAgentLayout;
  throw new WidgetError("config", `<voice-agent> layout must be "launcher" (the default) or "inline" (got ${JSON.stringify(attribute)}).`);
}

/**
 * The realtime transport: the `transport` attribute, else `config.transport`, else `websocket`. Throws a
 * `config` WidgetError for any other value.
 */
function transportOf(attribute: string | undefined, configured: RealtimeTransportKind | undefined): RealtimeTransportKind {
  const value = attribute || configured || "websocket";
  if (TRANSPORTS.includes(value as RealtimeTransportKind)) return value as RealtimeTransportKind;
  throw new WidgetError("config", `<voice-agent> transport must be "websocket" (the default) or "webrtc" (got ${JSON.stringify(value)}).`);
}

/**
 * `config.context` as given when it is a flat object of strings, finite numbers and booleans; the relay
 * checks names, types and bounds against the agent, so nothing more is checked here.
 */
function pageContext(value: unknown): Record<string, string | number | boolean> | undefined {
  if (value === undefined) return undefined;
  const example = 'e.g. { name: "Ada", plan: "pro" }';
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new WidgetError("config", `config.context must be an object of strings, numbers and booleans, ${example}.`);
  }
  for (const [name, v] of Object.entries(value)) {
    if (!(typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)))) {
      throw new WidgetError("config", `config.context.${name} must be a string, a number or a boolean (a flat object, ${example}).`);
    }
  }
  return { ...(value as Record<string, string | number | boolean>) };
}

function audioWorker(value: string | undefined): string {
  if (value === undefined || value === "auto" || value === "main-thread") return value ?? "auto";
  try {
    return new URL(value, location.href).href;
  } catch {
    throw new WidgetError(
      "config",
      `config.audioWorker must be "auto", "main-thread" or the URL of a same-origin worker file (got ${JSON.stringify(value)}).`,
    );
  }
}

function integer(value: number | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WidgetError(
      "config",
      `config.${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)}; default ${fallback}).`,
    );
  }
  return value;
}

function oneOf<T extends string>(value: T | undefined, name: string, allowed: readonly T[]): T {
  if (value === undefined) return allowed[0]!;
  if (!allowed.includes(value))
    throw new WidgetError(
      "config",
      `config.${name} must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")} (got ${JSON.stringify(value)}).`,
    );
  return value;
}

function absoluteUrl(value: string | undefined, name: string, example: string): string {
  try {
    if (value) return new URL(value).href;
  } catch {
    // reported below
  }
  throw new WidgetError("config", `<voice-agent> ${name} must be an absolute URL, e.g. ${example} (got ${JSON.stringify(value ?? "")}).`);
}
