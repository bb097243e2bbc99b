/**
 * Speculative transcription: the visitor's speech so far, sent for transcription at a pause before the
 * turn ended, at most one at a time. A turn that ends on exactly that utterance takes it (its transcript
 * and turn id); speech after the pause, another utterance, or the conversation's end abort it.
 */
import type { Utterance } from "../audio/audio-engine.ts";
import type { Transcript } from "./transport.ts";

/** One transcription started at a pause. */
export interface Speculation {
  utterance: Utterance;
  turnId: string;
  abort: AbortController;
  /** Undefined when it failed: the turn then transcribes as usual. */
  transcript: Promise<Transcript | undefined>;
}

/** Sends `utterance` for transcription under `turnId`, marked speculative, aborted by `signal`. */
export type SpeculativeTranscribe = (utterance: Utterance, turnId: string, signal: AbortSignal) => Promise<Transcript>;

export class Speculations {
  readonly #transcribe: SpeculativeTranscribe;
  readonly #closed: AbortSignal;
  #current: Speculation | undefined;

  /** `closed`: aborts whatever is in flight when the conversation ends. */
  constructor(transcribe: SpeculativeTranscribe, closed: AbortSignal) {
    this.#transcribe = transcribe;
    this.#closed = closed;
  }

  /** Starts transcribing `utterance` (aborting an earlier speculation). */
  begin(utterance: Utterance, turnId: string): void {
    this.drop();
    const abort = new AbortController();
    this.#closed.addEventListener("abort", () => abort.abort(), { once: true });
    const transcript = this.#transcribe(utterance, turnId, abort.signal).catch(() => undefined);
    this.#current = { utterance, turnId, abort, transcript };
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
