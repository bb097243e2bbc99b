/**
 * Speculative turns: the visitor's speech so far, sent for transcription at a pause before the turn
 * ended, and the reply to that transcript asked for as soon as it arrives (buffered, neither shown nor
 * played), at most one at a time. A turn that ends on exactly that utterance takes it (its transcript,
 * reply and turn id); speech after the pause, another utterance, or the conversation's end abort it.
 */
import type { Utterance } from "../audio/audio-engine.ts";
import type { ChatDelta, Transcript } from "./transport.ts";
import type { WireMessage } from "./wire.ts";

/** One speculation started at a pause. */
export interface Speculation {
  utterance: Utterance;
  turnId: string;
  abort: AbortController;
  /** Undefined when it failed: the turn then transcribes as usual. */
  transcript: Promise<Transcript | undefined>;
  /** The reply asked for on the transcript, once it arrived (when a reply could start then). */
  reply?: SpeculativeReply;
}

/** A reply requested ahead of the turn's end. */
export interface SpeculativeReply {
  /** The request's messages: the reply answers the turn only if the turn's context is still exactly these. */
  messages: WireMessage[];
  /** Its deltas, read from the moment it was asked for. */
  deltas: AsyncIterable<ChatDelta>;
}

/** What a speculation asks of the relay; each request is marked speculative and aborted by `signal`. */
export interface SpeculativeStages {
  transcribe(utterance: Utterance, turnId: string, signal: AbortSignal): Promise<Transcript>;
  /** Asks for the reply to `transcript`; undefined when none should start now. */
  answer(transcript: Transcript, turnId: string, signal: AbortSignal): SpeculativeReply | undefined;
}

export class Speculations {
  readonly #stages: SpeculativeStages;
  readonly #closed: AbortSignal;
  #current: Speculation | undefined;

  /** `closed`: aborts whatever is in flight when the conversation ends. */
  constructor(stages: SpeculativeStages, closed: AbortSignal) {
    this.#stages = stages;
    this.#closed = closed;
  }

  /** Starts transcribing `utterance`, then the reply (aborting an earlier speculation). */
  begin(utterance: Utterance, turnId: string): void {
    this.drop();
    const abort = new AbortController();
    this.#closed.addEventListener("abort", () => abort.abort(), { once: true });
    const speculation: Speculation = { utterance, turnId, abort, transcript: Promise.resolve(undefined) };
    speculation.transcript = this.#stages
      .transcribe(utterance, turnId, abort.signal)
      .then((transcript) => {
        // Set before the transcript's readers resume: a turn that ended meanwhile finds none and asks itself.
        if (!abort.signal.aborted) speculation.reply = this.#stages.answer(transcript, turnId, abort.signal);
        return transcript;
      })
      .catch(() => undefined);
    this.#current = speculation;
  }

  /** The speculation made on exactly this utterance (the turn ended at the pause), else none (aborted). */
  take(utterance: Utterance): Speculation | undefined {
    const current = this.#current;
    this.#current = undefined;
    const paused = current?.utterance;
    if (
      paused &&
      paused.startMs === utterance.startMs &&
      paused.endMs === utterance.endMs &&
      paused.audio.length === utterance.audio.length
    ) {
      return current;
    }
    current?.abort.abort();
    return undefined;
  }

  /** Aborts the speculation in flight (the visitor went on speaking). */
  drop(): void {
    this.#current?.abort.abort();
    this.#current = undefined;
  }
}
