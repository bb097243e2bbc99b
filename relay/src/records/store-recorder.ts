import type { ChatRecord, NewSession, RealtimeRecord, Recorder, RecordScope, SpeechRecord, TranscriptionRecord } from "../recorder.ts";
import { chatReplyRecord } from "./chat-reply-record.ts";
import { realtimeCallRecord } from "./realtime-call-record.ts";
import { failureEvent, turnPayload } from "./failure-event.ts";
import type { HeldTurns } from "./held-turns.ts";
import type { SessionRecorder } from "./session-recorder.ts";
import { uuidv7 } from "./uuid-v7.ts";

/**
 * The {@link Recorder} of a relay with records: turns what the routes report into record ops through a
 * {@link SessionRecorder}. Messages whose response the browser receives are committed before the
 * response's last byte; events are queued.
 */
export class StoreRecorder implements Recorder {
  readonly #recorder: SessionRecorder;
  readonly #now: () => number;
  /** What speculative requests recorded, until their turn is committed. */
  readonly #turns: HeldTurns;

  constructor(recorder: SessionRecorder, turns: HeldTurns, now: () => number) {
    this.#recorder = recorder;
    this.#turns = turns;
    this.#now = now;
  }

  sessionCreated(session: NewSession): Promise<void> {
    return this.#recorder.sessionCreated(session, session.mode);
  }

  realtime(scope: RecordScope, model: string): RealtimeRecord {
    return realtimeCallRecord(this.#recorder, scope, this.#now, model);
  }

  /**
   * The transcript is the visitor's message of the turn, with the utterance's audio length and
   * `upstreamSttMs`. Streamed, it is read from the `transcript.text.done` event and committed before the
   * stream's `[DONE]`. Held (speculative), it waits for the turn's commit instead (see {@link chat}).
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
      this.#turns.hold(sessionId, turnId, commit);
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

  /**
   * A chat request commits its turn (the held transcript first) when it says what the visitor said. A
   * speculative one (held) commits nothing: its messages are held with the turn until the widget's
   * `turn-committed` report, and withdrawn when the widget cancels it before.
   */
  chat(scope: RecordScope): ChatRecord {
    const { turnId } = scope;
    return chatReplyRecord(this.#recorder, scope, this.#now, turnId === undefined ? undefined : { turns: this.#turns, turnId });
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
