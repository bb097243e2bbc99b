/**
 * `@voice-agent/widget`: the `<voice-agent>` element class and its types, without side effects.
 * Import `@voice-agent/widget/define` to register the tag.
 */
export { VoiceAgent } from "./voice-agent.ts";
export type { ClientTool, ClientToolContext, VoiceAgentConfig, VoiceAgentMode } from "./config.ts";
export type { ErrorDetail, InterimText, Interruption, ToolCallDetail, TranscriptLine, TurnMetrics, VoiceAgentEventMap } from "./events.ts";
export { VOICE_AGENT_EVENTS } from "./events.ts";
export type { HistoryExport, HistoryStore, StoredConversation, StoredMessage, ToolCallRecord } from "./history/history-store.ts";
export type { TurnLatency } from "@voice-agent/relay/protocol";
export type { VoiceAgentServices } from "./services.ts";
export type { ConversationState, ConversationStateKind } from "./state.ts";
export type { Transport, ChatDelta, Transcript } from "./conversation/transport.ts";
export type { AudioPort, PlaybackPort, AudioFactory } from "./conversation/audio-port.ts";
export type { WireMessage, AssistantToolCallMessage, ToolResultMessage } from "./conversation/wire.ts";
export type { VoiceAgentStrings } from "./voice-agent.strings.ts";
export { DEFAULT_STRINGS } from "./voice-agent.strings.ts";
export { WidgetError, type WidgetErrorCode } from "./widget-error.ts";
