/**
 * A realtime conversation's reply as its events arrive, and what is worked out from it: its items' audio
 * and text, where a cut falls, and which relay codes end the call.
 */
import type { StoredMessage } from "../history/history-store.ts";
import { RELAY_ERROR_HANDLING, relayErrorHandling } from "../relay-error-codes.ts";
import { WidgetError } from "../widget-error.ts";
import type { ResponseUsage } from "./call-reports.ts";

/** The reply to one turn, as its events arrive. */
export interface Reply {
  replyId: number;
  turnId: string;
  message: StoredMessage;
  /** Its response (from `response.created`): events of other responses are not this reply's. */
  responseId?: string;
  /** The audio of each assistant item, in order, ms (a truncation names the item being heard). */
  audio: { id: string; ms: number }[];
  audioMs: number;
  /** The transcript of each assistant item of the response, in order (a server tool's answer is a second item). */
  items: { id: string; text: string }[];
  /** When the visitor's input ended (`performance.now()`), for the turn's latency. */
  startedAt: number;
  firstAudioAt?: number;
  toolCalls: { id: string; name: string; arguments: string }[];
  /** Over WebRTC: settles once the reply's audio stopped playing (`output_audio_buffer.stopped`), and its resolver. */
  played?: Promise<void>;
  audioStopped?: () => void;
  /**
   * Over a WebRTC call the relay created: the response called a server tool, which the relay runs; its
   * answer is the next response, which the relay asks for.
   */
  serverCall?: boolean;
  /** The tokens of its response (`response.done`). */
  usage?: ResponseUsage;
}

/** Updates the transcript of item `id` of `reply`; the reply's text is every item's, in order. */
export function setItemText(reply: Reply, id: string, update: (text: string) => string): void {
  let item = reply.items.find((i) => i.id === id);
  if (!item) reply.items.push((item = { id, text: "" }));
  item.text = update(item.text);
  reply.message.text = reply.items
    .map((i) => i.text.trim())
    .filter(Boolean)
    .join(" ");
}

/** The reply's audio item `id` (the newest, or a new one after it). */
export function audioItem(reply: Reply, id: string): { id: string; ms: number } {
  const last = reply.audio.at(-1);
  return last?.id === id ? last : reply.audio[reply.audio.push({ id, ms: 0 }) - 1]!;
}

/** The item playing `playedMs` into a reply's audio, and how far into it (the last item when past the end). */
export function heardItem(audio: readonly { id: string; ms: number }[], playedMs: number): { id: string; ms: number } | undefined {
  let start = 0;
  for (const [i, item] of audio.entries()) {
    if (playedMs < start + item.ms || i === audio.length - 1) return { id: item.id, ms: Math.max(0, playedMs - start) };
    start += item.ms;
  }
  return undefined;
}

/** The widget's error for a relay code the conversation does not survive (`upstream_error`, `rate_limited`, …); else undefined. */
export function relayFailure(relayCode: unknown, message: string): WidgetError | undefined {
  if (typeof relayCode !== "string" || !Object.hasOwn(RELAY_ERROR_HANDLING, relayCode)) return undefined;
  const { code, action } = relayErrorHandling(relayCode);
  return action === "fail" ? new WidgetError(code, message, undefined, { relayCode }) : undefined;
}
