/**
 * The audio loop's speech feed: reply audio goes from the network to the playback worklet without the
 * host page's main thread. The player sends its playback commands and the speech streams to play on
 * one port, in order; the feed fetches each stream itself (the head of the queue and one ahead),
 * converts its 16-bit PCM and hands it to the worklet in that order, and tells the player only how much
 * audio each stream gave, when it ended and why it failed.
 */
import { int16ToFloat32 } from "@voice-agent/dsp";
import { PATHS } from "@voice-agent/relay/protocol";
import type { SpeechRequest } from "../conversation/transport.ts";
import { brokenStream, readPcm16, relayFetch, relayHttpError } from "../relay-fetch.ts";
import { WidgetError } from "../widget-error.ts";
import { epochMs } from "./clock.ts";
import type { FeedCommand, FeedEvent } from "./feed-messages.ts";
import type { PlaybackCommand } from "./worklet-messages.ts";

/** The feed's end of the player's port. */
export interface FeedPort {
  postMessage(message: FeedEvent): void;
  onmessage: ((event: MessageEvent<FeedCommand>) => void) | null;
}

/** Posts a command to the playback worklet (with a transfer list). */
export type WorkletSend = (command: PlaybackCommand, transfer: Transferable[]) => void;

/** Streams fetched at a time: the one being played and the next. */
const FETCH_AHEAD = 2;

interface Stream {
  kind: "stream";
  replyId: number;
  streamId: number;
  request: SpeechRequest;
  state: "waiting" | "fetching" | "failed" | "done";
  abort: AbortController | undefined;
  /** Converted audio not yet handed to the worklet. */
  chunks: Float32Array[];
}

type Item = Stream | { kind: "command"; command: Extract<PlaybackCommand, { kind: "chunk" | "end" }> };

/** Serves one player on `port`; `send` reaches the playback worklet. */
export class SpeechFeed {
  #port: FeedPort;
  #send: WorkletSend;
  #queue: Item[] = [];

  constructor(port: FeedPort, send: WorkletSend) {
    this.#port = port;
    this.#send = send;
    port.onmessage = (event) => this.#command(event.data);
  }

  /** Aborts every fetch and forgets the queue. */
  close(): void {
    this.#port.onmessage = null;
    for (const item of this.#queue.splice(0)) if (item.kind === "stream") item.abort?.abort();
  }

  #command(command: FeedCommand): void {
    switch (command.kind) {
      case "stop":
        return this.#send(command, []);
      case "chunk":
      case "end":
        this.#queue.push({ kind: "command", command });
        break;
      case "speech":
        this.#queue.push({
          kind: "stream",
          replyId: command.replyId,
          streamId: command.streamId,
          request: command.request,
          state: "waiting",
          abort: undefined,
          chunks: [],
        });
        break;
      case "speech-retry": {
        const stream = this.#stream(command.streamId);
        if (stream?.state === "failed") Object.assign(stream, { request: command.request, state: "waiting", chunks: [] });
        break;
      }
      case "speech-cancel": {
        const stream = this.#stream(command.streamId);
        stream?.abort?.abort();
        if (stream) this.#queue.splice(this.#queue.indexOf(stream), 1);
        break;
      }
    }
    this.#pump();
  }

  #stream(streamId: number): Stream | undefined {
    return this.#queue.find((item): item is Stream => item.kind === "stream" && item.streamId === streamId);
  }

  /** Hands the worklet everything that is next in order, then starts the fetches due. */
  #pump(): void {
    for (let head = this.#queue[0]; head; head = this.#queue[0]) {
      if (head.kind === "command") {
        const { command } = head;
        this.#send(command, command.kind === "chunk" ? [command.samples.buffer] : []);
      } else {
        for (const samples of head.chunks.splice(0)) {
          // The player learns of the audio before the worklet can play it (heard text on barge-in).
          this.#post({ kind: "speech-audio", streamId: head.streamId, samples: samples.length, atMs: epochMs() });
          this.#send({ kind: "chunk", replyId: head.replyId, samples }, [samples.buffer]);
        }
        if (head.state !== "done") break;
        this.#post({ kind: "speech-end", streamId: head.streamId });
      }
      this.#queue.shift();
    }
    let ahead = 0;
    for (const item of this.#queue) {
      if (item.kind !== "stream") continue;
      if (item.state === "waiting") void this.#fetch(item);
      if (++ahead === FETCH_AHEAD) break;
    }
  }

  async #fetch(stream: Stream): Promise<void> {
    stream.state = "fetching";
    const abort = (stream.abort = new AbortController());
    const { url, headers, body } = stream.request;
    const relayUrl = url.endsWith(PATHS.speech) ? url.slice(0, -PATHS.speech.length) : new URL(url).origin;
    try {
      const response = await relayFetch(relayUrl, url, { method: "POST", headers, body, signal: abort.signal });
      if (!response.ok) throw await relayHttpError(response);
      try {
        for await (const pcm of readPcm16(response.body!)) {
          if (abort.signal.aborted) return;
          stream.chunks.push(int16ToFloat32(pcm));
          if (this.#queue[0] === stream) this.#pump();
        }
      } catch (error) {
        throw brokenStream(relayUrl, error, abort.signal);
      }
      if (abort.signal.aborted) return;
      stream.state = "done";
      this.#pump();
    } catch (error) {
      if (abort.signal.aborted) return; // cancelled by the player, which knows
      stream.state = "failed";
      this.#post({ kind: "speech-error", streamId: stream.streamId, error: WidgetError.from(error).toData() });
    }
  }

  #post(event: FeedEvent): void {
    this.#port.postMessage(event);
  }
}
