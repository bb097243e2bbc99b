import { describe, expect, it } from "vitest";
import { replayBargeIn } from "./barge-in-replay.ts";

describe("replayBargeIn", () => {
  it("counts holds and the frames held until each release", () => {
    const p = [0, 0.2, 0.2, 0, 0, 0, 0, 0.3, 0, 0, 0, 0];
    expect(replayBargeIn(p, undefined, { warmupMs: 0, holdThreshold: 0.1, releaseFrames: 3 })).toEqual({
      holds: 2,
      heldFrames: 4 + 3,
      confirms: 0,
    });
  });

  it("uses the frame levels: a sharp onset holds, the level back at the floor releases", () => {
    const levels = [-65, -65, -65, -30, -30, -65, -65, -65, -65];
    expect(replayBargeIn(new Array(9).fill(0), levels, { warmupMs: 0 })).toEqual({ holds: 1, heldFrames: 4, confirms: 0 });
  });

  it("counts a confirmation as a false barge-in and ends its hold there", () => {
    const p = [0, 0.9, 0.9, 0.9, 0.9];
    expect(replayBargeIn(p, undefined, { warmupMs: 0, confirmMs: 64 })).toEqual({ holds: 2, heldFrames: 2, confirms: 2 });
  });
});
