/**
 * The audio loop in Node, on real MessageChannels, with a stand-in for Silero that scores any sound as
 * speech (as Silero scores the agent's own voice): the agent's reply coming back into the microphone
 * (−10 dB, 60 ms late) is taken for the visitor and stops the reply when the loop does not know what
 * was played, and not when the playback worklet's reference reaches it (the echo estimator takes it out).
 */
import { afterEach, describe, expect, test } from "vitest";
import { serveAudioLoop, type LoopPort } from "./audio-loop.ts";
import type { LoopCommand, LoopEvent } from "./loop-messages.ts";
import type { SpeechModel } from "./speech-model.ts";
import type { PlaybackCommand, ReferenceMessage } from "./worklet-messages.ts";

const RATE = 48_000;
const FRAME = 512;
const ratio = RATE / 16_000;

/** Any frame louder than −40 dBFS is "speech". */
const loudIsSpeech: SpeechModel = {
  probability: async (frame) => (Math.sqrt(frame.reduce((a, v) => a + v * v, 0) / frame.length) > 0.01 ? 0.95 : 0.01),
  reset: () => {},
  release: async () => {},
};

/** A speech-like reply at 16 kHz: noise under a 4 Hz syllable envelope with pauses, seeded. */
function reply(samples: number): Float32Array {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Float32Array.from({ length: samples }, (_, i) => {
    const syllable = Math.max(0, Math.sin((2 * Math.PI * 4 * i) / 16_000));
    const phrase = (i / 16_000) % 1.5 < 1.2 ? 1 : 0;
    return 0.3 * syllable * phrase * random();
  });
}

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

/** A command the loop sent to playback, and the second of the reply being fed when it arrived. */
interface Sent {
  kind: PlaybackCommand["kind"];
  second: number;
}

/** A connected loop: its own port (events after `ready` go to `events`), and the capture and playback ends. */
async function startLoop(events: LoopEvent[] = []) {
  const [loop, capture, playback, feed] = [0, 1, 2, 3].map(() => new MessageChannel());
  channels.push(loop!, capture!, playback!, feed!);
  serveAudioLoop(loop!.port2 as unknown as LoopPort, async () => loudIsSpeech);
  const ready = new Promise<void>(
    (resolve) => (loop!.port1.onmessage = (e: MessageEvent<LoopEvent>) => (e.data.kind === "ready" ? resolve() : events.push(e.data))),
  );
  const init: LoopCommand = { kind: "init", assetBase: "http://x/", turn: {}, probe: false, sampleRate: RATE };
  loop!.port1.postMessage(init);
  await ready;
  loop!.port1.postMessage(
    { kind: "connect", capture: capture!.port2, playback: playback!.port2, feed: feed!.port2 } satisfies LoopCommand,
    [capture!.port2, playback!.port2, feed!.port2],
  );
  return { loop: loop!.port1, capture: capture!.port1, playback: playback!.port1 };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Runs `seconds` of the reply's echo (−10 dB, 60 ms late) through a loop; the commands it sent to playback. */
async function run(seconds: number, withReference: boolean): Promise<Sent[]> {
  const { capture, playback } = await startLoop();
  const commands: Sent[] = [];
  let second = 0;
  playback.onmessage = (e: MessageEvent<PlaybackCommand>) => {
    if (e.data.kind === "hold" || e.data.kind === "stop" || e.data.kind === "resume") commands.push({ kind: e.data.kind, second });
  };
  const played = reply(16_000 * seconds);
  const delay = 960; // 60 ms
  capture.postMessage({ kind: "started", contextFrame: 0 });
  playback.postMessage({ kind: "begin", replyId: 1 });
  for (let f = 0; (f + 1) * FRAME <= played.length; f++) {
    second = (f * FRAME) / 16_000;
    if (withReference) {
      for (let b = 0; b < FRAME; b += 128) {
        const block: ReferenceMessage = {
          kind: "rendered",
          samples: played.slice(f * FRAME + b, f * FRAME + b + 128),
          contextFrame: (f * FRAME + b) * ratio,
        };
        playback.postMessage(block);
      }
    }
    const mic = new Float32Array(FRAME);
    for (let i = 0; i < FRAME; i++) mic[i] = 0.316 * (played[f * FRAME + i - delay] ?? 0) + 1e-4 * Math.sin(i);
    capture.postMessage({ kind: "frame", samples: mic, endFrame: ((f + 1) * FRAME - 1) * ratio });
    await tick();
  }
  await tick();
  return commands;
}

/** Seconds of the reply fed while playback was held. */
function heldSeconds(commands: Sent[]): number {
  let held = 0;
  let since: number | undefined;
  for (const c of commands) {
    if (c.kind === "hold") since ??= c.second;
    else if (since !== undefined) [held, since] = [held + c.second - since, undefined];
  }
  return held;
}

describe("audio loop", () => {
  test("the agent's echo stops the reply without the reference, and does not with it", async () => {
    const blind = await run(6, false);
    const informed = await run(6, true);
    // Blind, the echo is confirmed as the visitor talking: the reply is stopped.
    expect(blind.map((c) => c.kind)).toContain("stop");
    // Informed, never a stop: the echo holds the reply only briefly (mostly while the estimator learns the
    // path in the first second), each hold resumed, under 1 s held of the 6 s reply.
    expect(informed.map((c) => c.kind)).not.toContain("stop");
    expect(informed.at(-1)?.kind).toBe("resume");
    expect(heldSeconds(informed)).toBeLessThan(1);
  }, 30_000);

  test("streams the mic's frames while asked, three at a time, before the model has run on them", async () => {
    const events: LoopEvent[] = [];
    const { loop, capture } = await startLoop(events);
    const frame = (f: number) => Float32Array.from({ length: FRAME }, (_, i) => f + i / FRAME);
    // Commands and frames come on different ports: each step waits for the one before to have arrived.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
    const send = async (from: number, to: number) => {
      for (let f = from; f < to; f++) capture.postMessage({ kind: "frame", samples: frame(f), endFrame: (f + 1) * FRAME * ratio });
      await settle();
    };
    await send(0, 3);
    loop.postMessage({ kind: "stream", on: true } satisfies LoopCommand);
    await settle();
    await send(3, 10);
    loop.postMessage({ kind: "stream", on: false } satisfies LoopCommand);
    await settle();
    await send(10, 16);
    const audio = events.flatMap((e) => (e.kind === "audio" ? [e.samples] : []));
    // Frames 3–8 in two events (frame 9 waits for two more, and streaming stopped).
    expect(audio.map((a) => a.length)).toEqual([3 * FRAME, 3 * FRAME]);
    expect(Array.from(audio.flatMap((a) => [a[0], a[FRAME], a[2 * FRAME]]))).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
