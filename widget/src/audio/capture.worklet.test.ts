/**
 * The capture worklet's glue in Node, with the AudioWorkletGlobalScope stubbed: what it posts for the
 * inputs a browser hands it. Firefox gives a quantum with no channels (`inputs[0].length === 0`) for a
 * digitally silent track (a muted or virtual device); that is 128 frames of silence, not a gap. Frames go
 * to the audio loop's port once it is connected; those captured before wait for it.
 */
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { loadWorklet, workletScope, type WorkletPort } from "../../test/worklet-scope.ts";
import type { CaptureMessage } from "./worklet-messages.ts";

const RATE = 48_000;
const QUANTUM = 128;
const posted: CaptureMessage[] = [];
let Processor: new (options?: { processorOptions?: { mirror?: boolean } }) => {
  process(inputs: Float32Array[][]): boolean;
  port: WorkletPort;
};
const loopPort = { postMessage: (message: CaptureMessage) => posted.push(message) };

const scope = workletScope;
beforeAll(async () => {
  Processor = await loadWorklet(
    RATE,
    () => import("./capture.worklet.ts"),
    () => ({ postMessage: () => expect.unreachable("frames go to the loop's port"), onmessage: null }),
  );
});
beforeEach(() => {
  posted.length = 0;
  scope.currentFrame = 0;
});

/** Runs `quanta` render quanta through a new processor, each given `input(q)`; returns the posted frames. */
function run(quanta: number, input: (q: number) => Float32Array[], connectAfter = 0): Extract<CaptureMessage, { kind: "frame" }>[] {
  const processor = new Processor();
  for (let q = 0; q < quanta; q++) {
    if (q === connectAfter) processor.port.onmessage!({ data: { kind: "connect", port: loopPort } });
    expect(processor.process([input(q)])).toBe(true);
    scope.currentFrame = (q + 1) * QUANTUM;
  }
  return posted.filter((m) => m.kind === "frame");
}

const tone = (q: number) => [
  Float32Array.from({ length: QUANTUM }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * (q * QUANTUM + i)) / RATE)),
];

describe("capture worklet", () => {
  test("quanta with no channels are silence: 16 kHz frames keep flowing, all zeros", () => {
    const frames = run(375, () => []); // 1 s at 48 kHz
    expect(posted[0]).toEqual({ kind: "started", contextFrame: 0 });
    expect(frames.length).toBe(Math.floor(16_000 / 512));
    expect(frames.every((f) => f.samples.length === 512 && f.samples.every((v) => v === 0))).toBe(true);
  });

  test("speech then channel-less quanta: as many frames as with channels throughout, and the tail is silent", () => {
    const reference = run(375, tone).length;
    posted.length = 0;
    scope.currentFrame = 0;
    const frames = run(375, (q) => (q < 100 ? tone(q) : []));
    expect(frames.length).toBe(reference);
    expect(frames.at(-1)!.samples.every((v) => v === 0)).toBe(true);
    expect(frames.map((f) => f.endFrame)).toEqual([...frames.map((f) => f.endFrame)].sort((a, b) => a - b));
  });

  test("frames captured before the loop's port is connected reach it, in order, once it is", () => {
    const reference = run(375, tone).map((f) => f.endFrame);
    posted.length = 0;
    scope.currentFrame = 0;
    const frames = run(375, tone, 200);
    expect(posted[0]).toEqual({ kind: "started", contextFrame: 0 });
    expect(frames.map((f) => f.endFrame)).toEqual(reference);
  });

  test("mirror (a measurement hook): the node's own port gets a copy of every message, the loop the originals", () => {
    const processor = new Processor({ processorOptions: { mirror: true } });
    const mirrored: CaptureMessage[] = [];
    processor.port.postMessage = (message) => mirrored.push(message as CaptureMessage);
    processor.port.onmessage!({ data: { kind: "connect", port: loopPort } });
    for (let q = 0; q < 375; q++) {
      processor.process([tone(q)]);
      scope.currentFrame = (q + 1) * QUANTUM;
    }
    expect(mirrored.map((m) => m.kind)).toEqual(posted.map((m) => m.kind));
    const frames = (xs: CaptureMessage[]) => xs.filter((m) => m.kind === "frame");
    expect(frames(mirrored).length).toBe(31);
    expect(frames(mirrored).map((f) => Array.from(f.samples))).toEqual(frames(posted).map((f) => Array.from(f.samples)));
    expect(frames(mirrored)[0]!.samples).not.toBe(frames(posted)[0]!.samples);
  });
});
