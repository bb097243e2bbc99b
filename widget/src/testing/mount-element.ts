/** Mounts a `<voice-agent>` wired to fakes and records every event it dispatches (for tests). */
import "../define.ts";
import type { VoiceAgentConfig } from "../config.ts";
import type { AudioFactory } from "../conversation/audio-port.ts";
import { VOICE_AGENT_EVENTS, type VoiceAgentEventMap } from "../events.ts";
import type { HistoryStore } from "../history/history-store.ts";
import { MemoryHistoryStore } from "../history/memory-history-store.ts";
import type { ConversationStateKind } from "../state.ts";
import type { VoiceAgent } from "../voice-agent.ts";
import { FakeAudio } from "./fake-audio.ts";
import { FakeTransport } from "./fake-transport.ts";

/** What {@link mountElement} accepts; everything defaults to a fresh fake. */
export interface MountOptions {
  transport?: FakeTransport;
  audio?: FakeAudio;
  /** Replaces the fake audio's factory (e.g. the real engine over a patched AudioContext). */
  audioFactory?: AudioFactory;
  history?: () => Promise<HistoryStore>;
  config?: VoiceAgentConfig;
  attributes?: Record<string, string>;
}

/** A mounted element, its fakes, and the events it dispatched (name + detail, in order). */
export interface Mounted {
  el: VoiceAgent;
  transport: FakeTransport;
  audio: FakeAudio;
  events: { name: keyof VoiceAgentEventMap; detail: unknown }[];
  /** Details of one event type. */
  of<K extends keyof VoiceAgentEventMap>(name: K): VoiceAgentEventMap[K][];
  /** The sequence of state kinds so far. */
  states(): ConversationStateKind[];
  /** Something inside the shadow root. */
  $<E extends Element = HTMLElement>(selector: string): E | null;
  remove(): void;
}

/** Appends a `<voice-agent relay-url="https://relay.test" agent="demo">` with fakes to the document. */
export async function mountElement(options: MountOptions = {}): Promise<Mounted> {
  const transport = options.transport ?? new FakeTransport();
  const audio = options.audio ?? new FakeAudio();
  const store = new MemoryHistoryStore();
  const el = document.createElement("voice-agent");
  for (const [name, value] of Object.entries({ "relay-url": "https://relay.test", agent: "demo", ...options.attributes }))
    el.setAttribute(name, value);
  el.services = {
    transport: () => transport,
    audio: options.audioFactory ?? audio.factory,
    history: options.history ?? (async () => store),
  };
  el.config = { reconnectDelaysMs: [20, 20, 20], ...options.config };
  const events: Mounted["events"] = [];
  for (const name of VOICE_AGENT_EVENTS) el.addEventListener(name, (e) => events.push({ name, detail: (e as CustomEvent).detail }));
  document.body.append(el);
  await el.updateComplete;
  return {
    el,
    transport,
    audio,
    events,
    of: <K extends keyof VoiceAgentEventMap>(name: K) =>
      events.filter((e) => e.name === name).map((e) => e.detail as VoiceAgentEventMap[K]),
    states: () => events.filter((e) => e.name === "va-state").map((e) => (e.detail as { kind: ConversationStateKind }).kind),
    $: <E extends Element>(selector: string) => el.shadowRoot!.querySelector<E>(selector),
    remove: () => el.remove(),
  };
}
