import { describe, expect, it } from "vitest";
import { EndOfTurn, type EndOfTurnResult } from "./end-of-turn.ts";

const N = 512; // 32 ms at 16 kHz

/** Feeds one frame per probability; each frame's samples carry its index so the audio can be checked. */
function run(probabilities: number[], options = {}): { results: [number, EndOfTurnResult][]; eot: EndOfTurn } {
  const eot = new EndOfTurn({ frameSamples: N, ...options });
  const results: [number, EndOfTurnResult][] = [];
  probabilities.forEach((p, i) => {
    const r = eot.process(new Float32Array(N).fill(i), p);
    if (r.kind !== "none") results.push([i, r]);
  });
  return { results, eot };
}

const seq = (...parts: [number, number][]) => parts.flatMap(([p, n]) => Array<number>(n).fill(p));

describe("EndOfTurn", () => {
  it("reports speech start, then the turn after silenceMs, with the speech times and pads", () => {
    const { results } = run(seq([0, 10], [0.9, 20], [0.1, 30]), { silenceMs: 320, preSpeechPadMs: 96, postSpeechPadMs: 32 });
    expect(results.map(([i, r]) => [i, r.kind])).toEqual([
      [10, "speech-start"],
      [39, "turn-end"], // 10 silent frames = 320 ms after the last speech frame (29)
    ]);
    const end = results[1]![1] as Extract<EndOfTurnResult, { kind: "turn-end" }>;
    expect(end.startMs).toBeCloseTo(320);
    expect(end.endMs).toBeCloseTo(30 * 32);
    // 3 pad frames (7, 8, 9) + 20 speech frames + 1 post-pad frame
    expect(end.audio.length).toBe(24 * N);
    expect(end.audio[0]).toBe(7);
    expect(end.audio[end.audio.length - 1]).toBe(30);
  });

  it("keeps the turn open through a pause shorter than silenceMs", () => {
    const { results } = run(seq([0.9, 10], [0.1, 15], [0.9, 10], [0.1, 30]), { silenceMs: 640 });
    expect(results.filter(([, r]) => r.kind === "turn-end")).toHaveLength(1);
  });

  it("reports the utterance so far at a pause, and the same utterance when the turn then ends", () => {
    const { results } = run(seq([0, 5], [0.9, 20], [0.1, 30]), { silenceMs: 640, pauseMs: 256 });
    expect(results.map(([i, r]) => [i, r.kind])).toEqual([
      [5, "speech-start"],
      [32, "pause"], // 8 silent frames = 256 ms after the last speech frame (24)
      [44, "turn-end"],
    ]);
    const [pause, end] = [results[1]![1], results[2]![1]] as Extract<EndOfTurnResult, { kind: "pause" | "turn-end" }>[];
    expect([pause!.startMs, pause!.endMs]).toEqual([end!.startMs, end!.endMs]);
    expect(Array.from(pause!.audio)).toEqual(Array.from(end!.audio));
  });

  it("reports a resume when speech comes back after a pause, and a new pause after it", () => {
    const { results } = run(seq([0.9, 10], [0.1, 10], [0.9, 10], [0.1, 30]), { silenceMs: 640, pauseMs: 256 });
    expect(results.map(([i, r]) => [i, r.kind])).toEqual([
      [0, "speech-start"],
      [17, "pause"],
      [20, "resume"],
      [37, "pause"],
      [49, "turn-end"],
    ]);
    const [first, second, end] = [results[1]![1], results[3]![1], results[4]![1]] as Extract<
      EndOfTurnResult,
      { kind: "pause" | "turn-end" }
    >[];
    expect(first!.audio.length).toBeLessThan(end!.audio.length);
    expect(second!.audio.length).toBe(end!.audio.length);
    expect(second!.endMs).toBe(end!.endMs);
  });

  it("reports no pause without pauseMs, nor for speech shorter than minSpeechMs", () => {
    expect(run(seq([0.9, 20], [0.1, 30]), { silenceMs: 640 }).results.map(([, r]) => r.kind)).toEqual(["speech-start", "turn-end"]);
    const short = run(seq([0.9, 4], [0.1, 30]), { silenceMs: 640, pauseMs: 256, minSpeechMs: 250 });
    expect(short.results.map(([, r]) => r.kind)).toEqual(["speech-start", "misfire"]);
  });

  it("counts frames between the thresholds as silence but keeps their audio", () => {
    const { results } = run(seq([0.9, 10], [0.4, 5], [0.1, 30]), { silenceMs: 320, preSpeechPadMs: 0, postSpeechPadMs: 0 });
    const [i, r] = results.find(([, r]) => r.kind === "turn-end")!;
    const end = r as Extract<EndOfTurnResult, { kind: "turn-end" }>;
    expect(i).toBe(19); // 10 frames after the last frame ≥ positiveThreshold
    expect(end.endMs).toBeCloseTo(10 * 32);
    expect(end.audio.length).toBe(15 * N);
  });

  it("marks the speech end at the last frame ≥ endThreshold, ignoring Silero's decaying tail", () => {
    const { results } = run(seq([0, 5], [0.99, 10], [0.8, 1], [0.6, 2], [0.1, 30]), { silenceMs: 320, endThreshold: 0.85 });
    const end = results.find(([, r]) => r.kind === "turn-end")![1] as Extract<EndOfTurnResult, { kind: "turn-end" }>;
    expect(end.startMs).toBeCloseTo(5 * 32);
    expect(end.endMs).toBeCloseTo(15 * 32);
  });

  it("runs the silence timeout from the reported speech end: Silero's tail counts as silence", () => {
    // last strong frame 14; tail 15–17 (0.8, 0.6, 0.6); 10 frames = 320 ms after frame 14 → frame 24
    const { results } = run(seq([0, 5], [0.99, 10], [0.8, 1], [0.6, 2], [0.1, 30]), { silenceMs: 320 });
    const [i, r] = results.find(([, r]) => r.kind === "turn-end")!;
    expect(i).toBe(24);
    expect((r as Extract<EndOfTurnResult, { kind: "turn-end" }>).endMs).toBeCloseTo(15 * 32);
  });

  it("counts soft speech that lasts past tailMs as speech again, so the turn stays open", () => {
    // strong 5–14, then 0.7 for 20 frames (soft speech, not a decaying tail), then silence from 35
    const { results } = run(seq([0, 5], [0.99, 10], [0.7, 20], [0.1, 30]), { silenceMs: 320, tailMs: 128 });
    const ends = results.filter(([, r]) => r.kind === "turn-end");
    expect(ends).toHaveLength(1);
    expect(ends[0]![0]).toBe(44); // 10 silent frames after the last soft-speech frame (34)
  });

  it("falls back to the last frame ≥ positiveThreshold when no frame reaches endThreshold", () => {
    const { results } = run(seq([0.6, 10], [0.1, 30]), { silenceMs: 320, minSpeechMs: 0 });
    const end = results.find(([, r]) => r.kind === "turn-end")![1] as Extract<EndOfTurnResult, { kind: "turn-end" }>;
    expect(end.endMs).toBeCloseTo(10 * 32);
  });

  it("calls speech shorter than minSpeechMs a misfire", () => {
    const { results } = run(seq([0, 5], [0.9, 3], [0.1, 30]), { minSpeechMs: 250, silenceMs: 320 });
    expect(results.map(([, r]) => r.kind)).toEqual(["speech-start", "misfire"]);
  });

  it("cuts an utterance at maxUtteranceMs", () => {
    const { results } = run(seq([0.9, 100]), { maxUtteranceMs: 1000 });
    const ends = results.filter(([, r]) => r.kind === "turn-end");
    expect(ends.length).toBeGreaterThan(0);
    const first = ends[0]![1] as Extract<EndOfTurnResult, { kind: "turn-end" }>;
    expect(first.audio.length).toBeLessThanOrEqual(16_000 + N);
  });

  it("finish() closes an open turn", () => {
    const { eot } = run(seq([0.9, 20]));
    expect(eot.finish().kind).toBe("turn-end");
    expect(eot.finish().kind).toBe("none");
  });

  it("rejects inconsistent thresholds", () => {
    expect(() => new EndOfTurn({ frameSamples: N, positiveThreshold: 0.3, negativeThreshold: 0.5 })).toThrow(/negativeThreshold/);
    expect(() => new EndOfTurn({ frameSamples: N, positiveThreshold: 0.9, endThreshold: 0.8 })).toThrow(/endThreshold/);
    expect(() => new EndOfTurn({ frameSamples: N, maxUtteranceMs: 100, silenceMs: 700 })).toThrow(/maxUtteranceMs/);
  });
});
