import type { Context } from "hono";
import type { ByteStreamObserver } from "./guard-stream.ts";
import type { KnowledgeCitation } from "./knowledge/turn-knowledge.ts";
import type { ChatMessage } from "./protocol.ts";
import type { RelayEnv } from "./relay-env.ts";
import type { ServerToolRun } from "./server-tools/run-server-tool.ts";
import type { SseStreamObserver } from "./sse-pass-through.ts";

/** Which request of which session and turn a record is about. */
export interface RecordScope {
  sessionId: string;
  /** The request's `x-turn-id`; undefined for a widget from before it. */
  turnId: string | undefined;
}

/** What a new session is recorded with, as the sessions route knows it. */
export interface NewSession {
  id: string;
  agent: string;
  origin: string;
  /** The widget's visitor id; only its SHA-256 is stored. */
  visitorId?: string;
  conversationId?: string;
  /** The agent's idle timeout (ms): the session lapses this long after its last activity. */
  idleTimeoutMs: number;
  /** The session's end (its maximum length), epoch ms. */
  endsAt: number;
  /** The conversation's mode, as the widget said; default `cascade`. */
  mode?: "cascade" | "realtime";
  /** The validated page context, when the page gave one: what the agent's instructions were given. */
  context?: Record<string, string | number | boolean>;
}

/** The part every stage's record has: its id and its failure. */
export interface StageRecord {
  /**
   * Record id of the message the response carries, sent as `x-record-id` (reports refer to it);
   * undefined when records are off or the stage records no message.
   */
  readonly recordId: string | undefined;
  /**
   * The request ends with `error` instead of an answer (`clientGone`: the client left first, e.g. a
   * barge-in aborting a reply): queues an `error` or `client-gone` event.
   */
  failed(error: unknown, clientGone: boolean): void;
}

/** Record of one transcription request: the transcript as the visitor's message of the turn. */
export interface TranscriptionRecord extends StageRecord {
  /** The final transcript of an utterance of `audioDurationMs`; resolves when committed, so call it before the answer leaves. */
  transcript(text: string, audioDurationMs: number): Promise<void>;
  /**
   * For a streamed transcription: reads the final text from the `transcript.text.done` event and
   * commits it before the stream's end; undefined when records are off.
   */
  streamObserver(audioDurationMs: number): SseStreamObserver | undefined;
  /**
   * The request is speculative (sent at a pause, before the turn ended): its transcript is held, and
   * recorded only when the turn is committed (a chat request of the same session and turn that is not
   * speculative, or the widget's `turn-committed` report, on this instance); else dropped.
   */
  hold(): void;
}

/** Record of one chat request: the visitor's new messages and the reply as it streams. */
export interface ChatRecord extends StageRecord {
  /**
   * The validated request reached the upstream: records its last message when the visitor typed it (with
   * a turn id only) and the page's tool results at its end. Resolves when committed; idempotent.
   */
  said(messages: readonly ChatMessage[]): Promise<void>;
  /** Sees the reply's events go by and commits it before the stream's end; undefined when records are off. */
  readonly observer: SseStreamObserver | undefined;
  /**
   * The request is speculative (sent at a pause, on a transcript of the speech so far): what it records
   * is held until the widget commits the turn (a `turn-committed` report, on this instance), and dropped
   * when the widget cancels it first. Call before {@link said}.
   */
  hold(): void;
  /**
   * A model round of the reply ended with server tool calls, which ran (or were skipped) as `runs` say;
   * the next round's streamed calls are new calls. Call before the next round's events.
   */
  roundEnded(runs: readonly ServerToolRun[]): void;
  /**
   * The turn's first request was given knowledge passages (or searched and found none): queues a
   * `knowledge` event citing their sources, held with a speculative request like its other records.
   */
  knowledge(citation: KnowledgeCitation): void;
}

/** Record of one realtime call (`GET /v1/realtime`): sees the events both ways go by. */
export interface RealtimeRecord {
  /** A browser event the relay forwarded upstream (parsed). */
  client(event: Record<string, unknown>): void;
  /** An upstream event on its way to the browser (parsed). */
  upstream(event: Record<string, unknown>): void;
  /**
   * The relay runs call `callId` (a server tool's, seen in the upstream event just recorded): the assistant
   * message that made it is written once {@link serverToolRan} tells how it ran (or at the call's end).
   */
  serverToolCalled(callId: string): void;
  /** A server tool call ran (or was skipped, or cancelled): its outcome, result and time go on its call. */
  serverToolRan(run: ServerToolRun): void;
  /** The call ended, for `reason` (the code of its last error event, or `client_closed`). */
  ended(reason: string): void;
  /** The call is active: the recorded session lapses `idleTimeoutMs` from now at the earliest (never after `endsAt`). */
  active(idleTimeoutMs: number, endsAt: number): void;
}

/** Record of one speech request: a `speech` event with the bytes and the time to the first one. */
export interface SpeechRecord extends StageRecord {
  /** Counts the audio as it passes; undefined when records are off. */
  readonly observer: ByteStreamObserver | undefined;
}

/**
 * What the routes tell the session records, with what they already hold (the validated request, the
 * transcript, the reply's events, the error): injected into the route factories, {@link NO_RECORDS}
 * when records are off. A route asks for one record per request, when the request starts.
 */
export interface Recorder {
  /** Records a new `pending` session; resolves when committed (before its token leaves). */
  sessionCreated(session: NewSession): Promise<void>;
  transcription(scope: RecordScope): TranscriptionRecord;
  chat(scope: RecordScope): ChatRecord;
  speech(scope: RecordScope): SpeechRecord;
  /** Record of a realtime call of `model`; undefined when records are off (the events are then not parsed). */
  realtime(scope: RecordScope, model: string): RealtimeRecord | undefined;
}

const noStage = { recordId: undefined, observer: undefined, failed() {} };
const done = Promise.resolve();

/** The recorder of a relay without records: records nothing, observes nothing. */
export const NO_RECORDS: Recorder = {
  sessionCreated: () => done,
  transcription: () => ({ ...noStage, transcript: () => done, streamObserver: () => undefined, hold: () => {} }),
  chat: () => ({ ...noStage, said: () => done, hold: () => {}, roundEnded: () => {}, knowledge: () => {} }),
  speech: () => noStage,
  realtime: () => undefined,
};

/** The {@link RecordScope} of a request behind `requireSession` (and, on the stage routes, `turnId`). */
export function recordScope(c: Context<RelayEnv>): RecordScope {
  return { sessionId: c.get("session").sid, turnId: c.get("turnId") };
}
