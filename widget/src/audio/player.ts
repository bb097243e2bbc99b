/**
 * Main-thread side of the playback worklet: sends reply audio to it and turns its reports into
 * promises and progress callbacks.
 */
import { int16ToFloat32 } from "../dsp/pcm.ts";
import { PLAYBACK_PROCESSOR, type PlaybackCommand, type PlaybackMessage, type PlaybackReport } from "./worklet-messages.ts";

/** Plays streamed replies through one persistent AudioWorklet node. */
export class Player {
  #node: AudioWorkletNode;
  #drained = new Map<number, (report: PlaybackReport) => void>();
  /** The newest report of the reply being played. */
  progress: PlaybackReport | undefined;

  /** Loads the worklet module from `workletUrl` (the context must already be running or resumable). */
  static async create(context: AudioContext, workletUrl: string): Promise<Player> {
    await context.audioWorklet.addModule(workletUrl);
    const node = new AudioWorkletNode(context, PLAYBACK_PROCESSOR, { numberOfInputs: 0, outputChannelCount: [1] });
    node.connect(context.destination);
    return new Player(node);
  }

  private constructor(node: AudioWorkletNode) {
    this.#node = node;
    node.port.onmessage = (event: MessageEvent<PlaybackMessage>) => {
      const { kind, ...report } = event.data;
      this.progress = report;
      if (kind === "drained") {
        this.#drained.get(report.replyId)?.(report);
        this.#drained.delete(report.replyId);
      }
    };
  }

  /** Queues 16-bit PCM at 24 kHz for reply `replyId`. */
  enqueue(replyId: number, pcm: Int16Array): void {
    const samples = int16ToFloat32(pcm);
    this.#send({ kind: "chunk", replyId, samples }, [samples.buffer]);
  }

  /** Marks the end of reply `replyId`; resolves once all of it has been played (or stopped). */
  end(replyId: number): Promise<PlaybackReport> {
    const done = new Promise<PlaybackReport>((resolve) => this.#drained.set(replyId, resolve));
    this.#send({ kind: "end", replyId });
    return done;
  }

  /** Drops whatever is queued. */
  stop(): void {
    this.#send({ kind: "stop" });
  }

  close(): void {
    this.#node.port.onmessage = null;
    this.#node.disconnect();
  }

  #send(command: PlaybackCommand, transfer: Transferable[] = []): void {
    this.#node.port.postMessage(command, transfer);
  }
}
