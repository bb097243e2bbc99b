import type { ChatRecord, NewSession, Recorder, RecordScope, SpeechRecord, TranscriptionRecord } from "../recorder.ts";
import { chatReplyRecord } from "./chat-reply-record.ts";
import { failureEvent, turnPayload } from "./failure-event.ts";
import type { SessionRecorder } from "./session-recorder.ts";
import { uuidv7 } from "./uuid-v7.ts";

/** How long a held (speculative) transcript waits for its turn's chat request, ms. */
const HELD_TRANSCRIPT_MS = 60_000;

/**
 * The {@link Recorder} of a relay with records: turns what the routes report into record ops through a
 * {@link SessionRecorder}. Messages whose response the browser receives are committed before the
 * response's last byte; events are queued.
 */
export class StoreRecorder implements Recorder {
  readonly #recorder: SessionRecorder;
  readonly #now: () => number;
  /** Commits of held transcripts, by session and turn, until the turn's chat request takes one. */
  readonly #held = new Map<string, () => Promise<void>>();

  constructor(recorder: SessionRecorder, now: () => number) {
    this.#recorder = recorder;
    this.#now = now;
  }

  sessionCreated(session: NewSession): Promise<void> {
    return this.#recorder.sessionCreated(session);
  }

  /**
   * The transcript is the visitor's message of the turn, with the utterance's audio length and
   * `upstreamSttMs`. Streamed, it is read from the `transcript.text.done` event and committed before the
   * stream's `[DONE]`. Held (speculative), it waits for the turn's chat request instead.
   */
  transcription(scope: RecordScope): TranscriptionRecord {
    const { sessionId, turnId } = scope;
    const startAt = this.#now();
    const t0 = performance.now();
    const id = uuidv7(startAt);
    let held = false;
    const write = (text: string, audioDurationMs: number, endAt: number, upstreamSttMs: number) =>
      this.#recorder.message(sessionId, {
        id,
        role: "user",
        text,
        startAt,
        endAt,
        audioDurationMs,
        latency: { upstreamSttMs },
        utteranceId: turnId ?? null,
      });
    const transcript = async (text: string, audioDurationMs: number) => {
      const [endAt, sttMs] = [this.#now(), Math.round(performance.now() - t0)];
      const commit = () => write(text, audioDurationMs, endAt, sttMs);
      if (!held || turnId === undefined) return commit();
      const key = `${sessionId} ${turnId}`;
      this.#held.set(key, commit);
      setTimeout(() => this.#held.get(key) === commit && this.#held.delete(key), HELD_TRANSCRIPT_MS).unref();
    };
    return {
      recordId: id,
      transcript,
      hold: () => void (held = true),
      streamObserver(audioDurationMs) {
        let committed: Promise<void> | undefined;
        return {
          onEvent(data) {
            const event = data as { type?: unknown; text?: unknown };
            if (event.type === "transcript.text.done" && typeof event.text === "string")
              committed ??= transcript(event.text, audioDurationMs);
          },
          beforeEnd: async () => committed,
          onCancel() {},
        };
      },
      failed: (error, clientGone) => this.#recorder.event(sessionId, ...failureEvent("stt", error, clientGone, turnId)),
    };
  }

  /** The turn's held transcript, if any, is committed first when the request says what the visitor said. */
  chat(scope: RecordScope): ChatRecord {
    const key = `${scope.sessionId} ${scope.turnId}`;
    const commitHeld = () => {
      const commit = this.#held.get(key);
      this.#held.delete(key);
      return commit?.();
    };
    return chatReplyRecord(this.#recorder, scope, this.#now, scope.turnId === undefined ? undefined : commitHeld);
  }

  /** Queues a `speech` event with the bytes, the time to the first one and whether the stream was cut. */
  speech(scope: RecordScope): SpeechRecord {
    const { sessionId, turnId } = scope;
    const t0 = performance.now();
    let bytes = 0;
    let firstByteMs: number | undefined;
    return {
      recordId: undefined,
      observer: {
        onBytes(n) {
          firstByteMs ??= Math.round(performance.now() - t0);
          bytes += n;
        },
        onEnd: (aborted) => {
          const totalMs = Math.round(performance.now() - t0);
          this.#recorder.event(sessionId, "speech", {
            bytes,
            ttsFirstByteMs: firstByteMs ?? null,
            totalMs,
            aborted,
            ...turnPayload(turnId),
          });
        },
      },
      failed: (error, clientGone) => this.#recorder.event(sessionId, ...failureEvent("tts", error, clientGone, turnId)),
    };
  }
}
