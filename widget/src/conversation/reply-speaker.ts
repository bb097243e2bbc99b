/**
 * Speaks a streamed reply sentence by sentence: each sentence goes to TTS as soon as it is complete,
 * its audio is queued for playback as it arrives, and the next sentence's audio is fetched while the
 * current one still streams and plays. Records how much audio each sentence produced, for barge-in.
 * When the transport can describe a speech request and the player can play one (the audio engine's,
 * whose audio loop fetches it), the audio never passes through the main thread: the player is given
 * each sentence's request at once and reports its audio, its end and its failure.
 */
import { TTS_SAMPLE_RATE } from "@voice-agent/relay/protocol";
import type { PlaybackPort, PlaybackReport } from "./audio-port.ts";
import { Buffered } from "./buffered.ts";
import { pcmMs, type SpokenSegment } from "./heard-text.ts";
import type { CascadeTransport, SessionTransport } from "./transport.ts";

export interface ReplySpeakerOptions {
  transport: CascadeTransport & Pick<SessionTransport, "onTokenExpired">;
  player: PlaybackPort;
  replyId: number;
  /** The turn the reply answers, sent with each speech request. */
  turnId: string;
  signal: AbortSignal;
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
}

/** One reply's speech. */
export class ReplySpeaker {
  /** Sentences sent to TTS in order, with the audio received for each so far. */
  readonly segments: SpokenSegment[] = [];
  /** Audio received so far for all sentences, ms. */
  get audioMs(): number {
    return this.segments.reduce((ms, s) => ms + s.audioMs, 0);
  }

  /** First `say()` → first audio bytes, ms. */
  ttsFirstByteMs: number | undefined;
  /** When the first audio was queued (clock of `now`). */
  firstAudioAt: number | undefined;
  readonly #o: Required<ReplySpeakerOptions>;
  #pending: { segment: SpokenSegment; chunks: Buffered<Int16Array> }[] = [];
  #worker: Promise<void> = Promise.resolve();
  #firstSayAt: number | undefined;
  /** Aborts the fed streams: the reply's signal, or the first stream that failed (the rest is not spoken). */
  #feed: AbortController | undefined;

  constructor(options: ReplySpeakerOptions) {
    this.#o = { now: () => performance.now(), ...options };
    if (options.transport.speechRequest && options.player.playSpeech) {
      const feed = (this.#feed = new AbortController());
      options.signal.addEventListener("abort", () => feed.abort(options.signal.reason), { once: true });
    }
  }

  /** Sends `sentence` to TTS (at once if at most one other sentence is still being fetched). */
  say(sentence: string): void {
    if (!sentence || this.#o.signal.aborted) return;
    this.#firstSayAt ??= this.#o.now();
    const segment = { text: sentence, audioMs: 0 };
    this.segments.push(segment);
    if (this.#feed) return this.#feedOne(sentence, segment, this.#feed);
    this.#pending.push({
      segment,
      chunks: new Buffered(() => this.#o.transport.speech(sentence, { turnId: this.#o.turnId, signal: this.#o.signal })),
    });
    // Fetch the head and one sentence ahead.
    this.#pending[0]?.chunks.start();
    this.#pending[1]?.chunks.start();
    const worker = this.#worker.then(() => this.#drainOne());
    worker.catch(() => {}); // observed by finish()
    this.#worker = worker;
  }

  /** Waits until every sentence is queued and played; the playback report of the whole reply. */
  async finish(): Promise<PlaybackReport> {
    if (!this.#feed) {
      await this.#worker;
      return this.#o.player.end(this.#o.replyId);
    }
    // Queued behind the streams: the loop ends the reply as soon as the last one is fed.
    const ended = this.#o.player.end(this.#o.replyId);
    await this.#worker;
    return ended;
  }

  /** Hands the sentence's request to the player, which plays it after the sentences before it. */
  #feedOne(sentence: string, segment: SpokenSegment, feed: AbortController): void {
    const { transport, player, replyId, turnId } = this.#o;
    if (feed.signal.aborted) return;
    const describe = () => transport.speechRequest!(sentence, turnId);
    const renew = transport.onTokenExpired && (() => transport.onTokenExpired!().then(describe));
    const onAudio = (ms: number, at: number) => {
      if (this.ttsFirstByteMs === undefined) {
        this.firstAudioAt = at;
        this.ttsFirstByteMs = Math.max(0, at - (this.#firstSayAt ?? at));
      }
      segment.audioMs += ms;
    };
    const played = player.playSpeech!(replyId, describe(), { signal: feed.signal, onAudio, ...(renew ? { renew } : {}) });
    played.catch((error: unknown) => feed.abort(error));
    const worker = this.#worker.then(() => played);
    worker.catch(() => {}); // observed by finish()
    this.#worker = worker;
  }

  async #drainOne(): Promise<void> {
    const head = this.#pending[0];
    if (!head || this.#o.signal.aborted) return;
    head.chunks.start();
    this.#pending[1]?.chunks.start();
    for await (const pcm of head.chunks) {
      if (this.#o.signal.aborted) return;
      if (this.ttsFirstByteMs === undefined) {
        this.firstAudioAt = this.#o.now();
        this.ttsFirstByteMs = this.firstAudioAt - (this.#firstSayAt ?? this.firstAudioAt);
      }
      head.segment.audioMs += pcmMs(pcm.byteLength, TTS_SAMPLE_RATE);
      this.#o.player.enqueue(this.#o.replyId, pcm);
    }
    this.#pending.shift();
  }
}
