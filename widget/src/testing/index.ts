/**
 * Hand-written fakes for testing pages that embed `<voice-agent>` (and the element itself): a scripted
 * relay transport, a fake audio engine driven by hand, and history stores. Give them to the element
 * through its `services` property before connecting it.
 */
export { FakeTransport, type FakeTransportOptions, type TransportCall } from "./fake-transport.ts";
export { FakeAudio, FakeAudioEngine, FakePlayer } from "./fake-audio.ts";
export { FailingHistoryStore, type FailingHistoryStoreOptions } from "./failing-history-store.ts";
export { MemoryHistoryStore } from "../history/memory-history-store.ts";
