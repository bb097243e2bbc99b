/**
 * The replies of a WebRTC call, which play on the call's remote track rather than through the widget's
 * playback worklet: what the realtime conversation needs of them for barge-in. The audio loop's detector
 * watches the mic over a playing reply ({@link started}); its hold mutes the track at once and notes what
 * had been heard, its release restores it; a cut silences it and says how much of it was heard.
 */
import type { AudioPort } from "./audio-port.ts";
import type { RealtimeMediaChannel } from "./transport.ts";

/**
 * Speech per character of a reply, ms: over WebRTC no audio length arrives with the transcript, so the words
 * heard of a cut reply are placed on this pace (about 15 characters a second, eSpeak's and the provider voices'),
 * divided by the session's `audio.output.speed`.
 */
const SPOKEN_MS_PER_CHAR = 65;
/** A reply cut before its audio ended was not heard whole, however fast its voice: at least its last characters' time is taken as unheard. */
const UNHEARD_CHARS = 8;

export class RemoteReply {
  readonly #media: RealtimeMediaChannel;
  readonly #audio: AudioPort | undefined;
  /** The reply the barge-in detector put on hold (muted), and what had been heard when it did. */
  #held: { replyId: number; heard: Promise<number> } | undefined;

  /** Without `audio` (a typed conversation) the replies are never heard, as over the WebSocket. */
  constructor(media: RealtimeMediaChannel, audio: AudioPort | undefined) {
    this.#media = media;
    this.#audio = audio;
    if (!audio) media.muteReply(true);
  }

  /** Whether a reply's end waits for its audio to stop playing (`output_audio_buffer.stopped`). */
  get audible(): boolean {
    return this.#audio !== undefined;
  }

  /** A response begins (`response.created`): what the track plays out from now on is its audio. */
  created(): void {
    this.#media.markReply();
  }

  /** Reply `replyId`'s audio started playing (`output_audio_buffer.started`): heard, and watched for barge-in. */
  started(replyId: number): void {
    this.#media.muteReply(!this.#audio);
    this.#audio?.watchReply?.(replyId);
  }

  /** The playing reply's audio stopped, or the call ends: nothing to watch. */
  stopped(): void {
    this.#audio?.watchReply?.(undefined);
  }

  /** The detector holds (`true`) or releases reply `replyId`. */
  hold(replyId: number, held: boolean): void {
    this.#media.muteReply(held);
    this.#held = held ? { replyId, heard: this.#media.heardMs() } : undefined;
  }

  /** Silences reply `replyId` for good; resolves with the ms heard of it: at its hold, else until now. */
  cut(replyId: number): Promise<number> {
    this.#media.muteReply(true);
    this.stopped();
    const heard = this.#held?.replyId === replyId ? this.#held.heard : this.#media.heardMs();
    this.#held = undefined;
    return heard;
  }

  /** The audio length of a reply of `text` cut `playedMs` into it, estimated at the pace of a voice of `speed`, ms. */
  audioMs(text: string, playedMs: number, speed: number): number {
    const msPerChar = SPOKEN_MS_PER_CHAR / speed;
    return Math.max(playedMs + UNHEARD_CHARS * msPerChar, text.length * msPerChar);
  }
}
