import { describe, expect, it } from "vitest";
import { heardMs, PlaybackQueue, type RenderResult } from "./playback-queue.ts";

const RATE = 48_000;
const Q = 128;

function queue(options = {}): PlaybackQueue {
  const q = new PlaybackQueue({ sampleRate: RATE, capacitySeconds: 2, cushionMs: 8, cushionMarginMs: 0, rampMs: 1, ...options });
  q.begin();
  return q;
}

/** Renders `quanta` quanta; returns the results and the concatenated output. */
function render(q: PlaybackQueue, quanta: number): { kinds: RenderResult["kind"][]; out: Float32Array; results: RenderResult[] } {
  const out = new Float32Array(quanta * Q);
  const results: RenderResult[] = [];
  for (let k = 0; k < quanta; k++) {
    const r = q.render(out.subarray(k * Q, (k + 1) * Q));
    results.push(r.kind === "silenced" ? { ...r } : r);
  }
  return { kinds: results.map((r) => r.kind), out, results };
}

const ones = (n: number) => new Float32Array(n).fill(1);
/** Samples whose value is their index in the reply: shows exactly which sample plays when. */
const ramp = (from: number, n: number) => Float32Array.from({ length: n }, (_, i) => from + i);

describe("PlaybackQueue", () => {
  it("waits for the cushion, fades in, then plays the samples in order", () => {
    const q = queue({ cushionMs: 8 }); // 384 frames
    q.push(ones(300));
    expect(render(q, 2).kinds).toEqual(["waiting", "waiting"]);
    q.push(ones(300));
    const { kinds, out } = render(q, 4);
    expect(kinds.slice(0, 4)).toEqual(["playing", "playing", "playing", "playing"]);
    expect(out[0]).toBeGreaterThan(0);
    expect(out[0]).toBeLessThan(0.1); // fade-in ramp
    expect(out[100]).toBe(1);
    expect(q.playedFrames).toBe(512);
  });

  it("plays out a short reply below the cushion once it has ended, then reports drained", () => {
    const q = queue({ cushionMs: 100 });
    q.push(ones(200));
    expect(render(q, 1).kinds).toEqual(["waiting"]);
    q.end();
    expect(render(q, 3).kinds).toEqual(["playing", "drained", "idle"]);
    expect(q.playedFrames).toBe(200);
    expect(q.active).toBe(false);
  });

  it("counts an underrun, renders silence, and raises the cushion before resuming", () => {
    const q = queue({ cushionMs: 2, cushionStepMs: 4 }); // 96 frames, +192 per underrun
    q.push(ones(200));
    const first = render(q, 2);
    expect(first.kinds).toEqual(["playing", "underrun"]);
    expect(first.out.subarray(200).every((v) => v === 0)).toBe(true);
    expect(q.underruns).toBe(1);
    expect(q.cushionFrames).toBe(96 + 192);
    q.push(ones(200));
    expect(render(q, 1).kinds).toEqual(["waiting"]);
    q.push(ones(100));
    expect(render(q, 1).kinds).toEqual(["playing"]);
    expect(q.playedFrames).toBe(328);
  });

  it("fades out within one render quantum of fadeOut() and drops the rest", () => {
    const q = queue();
    q.push(ones(RATE));
    render(q, 10);
    q.fadeOut();
    const { results, out } = render(q, 2);
    expect(results[0]).toEqual({ kind: "silenced", at: 127 });
    expect(out[0]).toBeGreaterThan(0.98);
    for (let i = 1; i < 127; i++) expect(out[i]!).toBeLessThan(out[i - 1]!);
    expect(out.subarray(127).every((v) => v === 0)).toBe(true);
    expect(results[1]!.kind).toBe("idle");
    expect(q.playedFrames).toBe(10 * Q + 127);
    expect(q.push(ones(10))).toBe(0);
  });

  it("holds within one render quantum: the output is silent and the clock stands still", () => {
    const q = queue();
    q.push(ramp(0, RATE));
    render(q, 10);
    q.hold();
    const { results, out } = render(q, 5);
    expect(results[0]).toEqual({ kind: "paused", at: 127 });
    expect(results.slice(1).map((r) => r.kind)).toEqual(["held", "held", "held", "held"]);
    for (let i = 1; i < 127; i++) expect(out[i]! / (10 * Q + i)).toBeLessThan(out[i - 1]! / (10 * Q + i - 1)); // gain falls
    expect(out.subarray(127).every((v) => v === 0)).toBe(true);
    expect(q.playedFrames).toBe(10 * Q + 127);
    expect(q.heldFrames).toBe(1 + 4 * Q);
    expect(q.held).toBe(true);
    expect(q.active).toBe(true);
  });

  it("keeps receiving while held and resumes from the exact next sample with a fade-in", () => {
    const q = queue({ rampMs: 1 }); // 48 frames
    q.push(ramp(0, 2000));
    render(q, 2);
    q.hold();
    render(q, 3);
    const played = q.playedFrames;
    expect(q.push(ramp(2000, 1000))).toBe(1000);
    q.resume();
    expect(q.held).toBe(false);
    expect(q.heldFrames).toBe(0);
    const { kinds, out } = render(q, 2);
    expect(kinds).toEqual(["playing", "playing"]);
    // Sample `played` comes next, faded in over 48 frames, then at full gain.
    expect(out[0]).toBeCloseTo(played * (1 / 48), 3);
    expect(out[1]).toBeCloseTo((played + 1) * (2 / 48), 3);
    expect(out[47]).toBe(played + 47);
    expect(out[200]).toBe(played + 200);
    expect(q.playedFrames).toBe(played + 2 * Q);
  });

  it("plays a held reply to the end after resuming (nothing dropped), then reports drained", () => {
    const q = queue({ rampMs: 0 });
    q.push(ones(1000));
    q.end();
    render(q, 2);
    q.hold();
    render(q, 10);
    q.resume();
    const { kinds } = render(q, 8);
    expect(kinds.filter((k) => k === "drained")).toHaveLength(1);
    expect(q.playedFrames).toBe(1000);
  });

  it("fades out at once when stopped on hold, reporting what played before the hold", () => {
    const q = queue();
    q.push(ones(RATE));
    render(q, 4);
    q.hold();
    render(q, 3);
    q.fadeOut();
    const { results } = render(q, 2);
    expect(results[0]).toEqual({ kind: "silenced", at: 0 });
    expect(results[1]!.kind).toBe("idle");
    expect(q.playedFrames).toBe(4 * Q + 127);
  });

  it("holds before the cushion filled: stays silent, then starts normally on resume", () => {
    const q = queue({ cushionMs: 8 }); // 384 frames
    q.push(ones(100));
    q.hold();
    q.push(ones(400));
    const held = render(q, 3);
    expect(held.results[0]).toEqual({ kind: "paused", at: 0 });
    expect(held.kinds.slice(1)).toEqual(["held", "held"]);
    expect(held.out.every((v) => v === 0)).toBe(true);
    expect(q.playedFrames).toBe(0);
    q.resume();
    expect(render(q, 1).kinds).toEqual(["playing"]);
    expect(q.playedFrames).toBe(Q);
  });

  it("a hold whose fade meets an empty buffer waits silently, then plays what arrived meanwhile", () => {
    const q = queue({ cushionMs: 2 }); // 96 frames
    q.push(ones(200));
    render(q, 1);
    q.hold();
    const { results } = render(q, 2);
    expect(results[0]).toEqual({ kind: "paused", at: 72 });
    expect(results[1]!.kind).toBe("held");
    expect(q.underruns).toBe(0);
    q.push(ones(200));
    q.resume();
    expect(render(q, 2).kinds).toEqual(["playing", "underrun"]);
    expect(q.playedFrames).toBe(400);
  });

  it("a new reply clears the hold", () => {
    const q = queue();
    q.push(ones(1000));
    render(q, 1);
    q.hold();
    q.begin();
    expect(q.held).toBe(false);
    q.push(ones(1000));
    expect(render(q, 1).kinds).toEqual(["playing"]);
  });

  it("stops at once when interrupted before it started playing", () => {
    const q = queue({ cushionMs: 100 });
    q.push(ones(100));
    q.fadeOut();
    expect(render(q, 1).kinds).toEqual(["idle"]);
    expect(q.playedFrames).toBe(0);
  });

  it("drops what does not fit and counts it", () => {
    const q = new PlaybackQueue({ sampleRate: 1000, capacitySeconds: 1 });
    q.begin();
    expect(q.push(ones(1500))).toBe(1000);
    expect(q.droppedFrames).toBe(500);
    expect(q.receivedFrames).toBe(1500);
  });

  it("wraps around the ring without losing order", () => {
    const q = new PlaybackQueue({ sampleRate: 1000, capacitySeconds: 0.5, cushionMs: 0, rampMs: 0 });
    q.begin();
    const out = new Float32Array(Q);
    q.push(ramp(0, 400));
    q.render(out);
    q.render(out);
    q.push(ramp(400, 300)); // wraps past 500
    q.render(out);
    q.render(out);
    expect(out[0]).toBe(384);
    expect(out[127]).toBe(511);
  });
});

/**
 * Streams one reply into `q` while rendering: `chunks` chunks of `frames`, one every `every` quanta
 * (from quantum 0), then the end. Returns the quantum that first played and the reply's underruns.
 */
function stream(q: PlaybackQueue, chunks: number, frames: number, every: number): { started: number; underruns: number } {
  q.begin();
  let started = -1;
  for (let k = 0; ; k++) {
    if (k % every === 0 && k / every < chunks) q.push(ones(frames));
    if (k === (chunks - 1) * every) q.end();
    const kind = q.render(new Float32Array(Q)).kind;
    if (kind === "playing" && started < 0) started = k;
    if (kind === "drained") return { started, underruns: q.underruns };
  }
}

describe("PlaybackQueue's start once replies have shown how their audio arrives", () => {
  // 80 ms chunks (3840 frames = 30 quanta); cushion 150 ms = 7200 frames, margin 40 ms = 15 quanta.
  const options = { cushionMs: 150, cushionMarginMs: 40, rampMs: 1 };

  it("starts a reply streamed at real time a margin after its first chunk, not at the cushion, without running dry", () => {
    const q = new PlaybackQueue({ sampleRate: RATE, capacitySeconds: 2, ...options });
    expect(stream(q, 10, 3840, 30)).toEqual({ started: 30, underruns: 0 }); // first reply: the cushion (2nd chunk)
    expect(stream(q, 10, 3840, 30)).toEqual({ started: 15, underruns: 0 });
    expect(stream(q, 10, 3840, 10)).toEqual({ started: 15, underruns: 0 }); // 3× real time
    const fixed = new PlaybackQueue({ sampleRate: RATE, capacitySeconds: 2, ...options, learnStart: false });
    expect([stream(fixed, 10, 3840, 30), stream(fixed, 10, 3840, 30)]).toEqual([
      { started: 30, underruns: 0 },
      { started: 30, underruns: 0 },
    ]);
  });

  it("waits longer after a reply that arrived slower than real time, and does not run dry then", () => {
    const q = new PlaybackQueue({ sampleRate: RATE, capacitySeconds: 2, ...options, maxCushionMs: 2000 });
    const slow = stream(q, 8, 3840, 60); // half real time: runs dry
    expect(slow.underruns).toBeGreaterThan(0);
    const next = stream(q, 8, 3840, 60);
    expect(next).toEqual({ started: 7 * 30 + 15, underruns: 0 }); // chunk 7 was 7 × 30 quanta behind, plus the margin
  });
});

describe("heardMs", () => {
  it("subtracts the output latency and clamps to what was received", () => {
    expect(heardMs(48_000, 96_000, 0.05, RATE)).toBeCloseTo(950);
    expect(heardMs(1000, 96_000, 0.05, RATE)).toBe(0);
    expect(heardMs(96_000, 48_000, 0, RATE)).toBe(1000);
  });
});
