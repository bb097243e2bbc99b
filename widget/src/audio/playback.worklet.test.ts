/**
 * The playback worklet's glue in Node, with the AudioWorkletGlobalScope stubbed: the loop's port gets
 * every report and, while a reply plays, what was rendered at 16 kHz (the echo reference), in blocks
 * stamped with the context frame of their first sample.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { loadWorklet, workletScope, type WorkletPort } from "../../test/worklet-scope.ts";
import type { PlaybackMessage, ReferenceMessage } from "./worklet-messages.ts";

const RATE = 48_000;
const QUANTUM = 128;
let Processor: new (options?: unknown) => { process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean; port: WorkletPort };

const scope = workletScope;
beforeAll(async () => {
  Processor = await loadWorklet(
    RATE,
    () => import("./playback.worklet.ts"),
    () => ({ postMessage: () => {}, onmessage: null }),
  );
});

describe("playback worklet", () => {
  test("a playing reply is sent to the loop as 16 kHz reference blocks on the context's timeline; nothing while idle", () => {
    const processor = new Processor({ processorOptions: { cushionMs: 0 } });
    const toLoop: (PlaybackMessage | ReferenceMessage)[] = [];
    processor.port.onmessage!({
      data: { kind: "connect", port: { postMessage: (m: PlaybackMessage | ReferenceMessage) => toLoop.push(m), onmessage: null } },
    });
    const out = [[new Float32Array(QUANTUM)]];
    const render = (quanta: number) => {
      for (let q = 0; q < quanta; q++) {
        processor.process([], out);
        scope.currentFrame = (scope.currentFrame as number) + QUANTUM;
      }
    };
    render(10); // idle: no reference
    expect(toLoop).toEqual([]);
    // 0.5 s of a 24 kHz tone at 0.5, then its end.
    const tone = Float32Array.from({ length: 12_000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 24_000));
    const start = scope.currentFrame as number;
    processor.port.onmessage!({ data: { kind: "chunk", replyId: 1, samples: tone } });
    processor.port.onmessage!({ data: { kind: "end", replyId: 1 } });
    render(250); // 0.67 s
    const kinds = toLoop.map((m) => m.kind);
    expect(kinds[0]).toBe("begin");
    expect(kinds).toContain("drained");
    const blocks = toLoop.filter((m): m is ReferenceMessage => m.kind === "rendered");
    // 0.5 s at 16 kHz ≈ 8000 samples of reply (plus the fade and the resampler's tail), in 128-sample blocks.
    expect(blocks.length).toBeGreaterThanOrEqual(62);
    expect(blocks.every((b) => b.samples.length === 128)).toBe(true);
    // Contiguous: each block starts 128 × 3 context frames after the previous one, from the reply's start.
    // (The first sample stands for a moment just before the reply: the resampler's delay, < 128 frames.)
    expect(start - blocks[0]!.contextFrame).toBeGreaterThan(0);
    expect(start - blocks[0]!.contextFrame).toBeLessThan(128);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.contextFrame - blocks[i - 1]!.contextFrame).toBe(384);
    // What played: the tone's level, not silence.
    const peak = Math.max(...blocks.slice(5, 40).flatMap((b) => Array.from(b.samples, Math.abs)));
    expect(peak).toBeGreaterThan(0.45);
    expect(peak).toBeLessThan(0.55);
  });
});
