import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AudioPacer, type PacedFrame } from "./audio-pacer.ts";

/** A pacer on a clock the test moves; the timer runs on vitest's fake timers. */
function pacer() {
  let clock = 1_000;
  const frames: PacedFrame[] = [];
  const log: string[] = [];
  const p = new AudioPacer({
    now: () => clock,
    send: (frame) => frames.push(frame),
    started: (id) => log.push(`started ${id}`),
    drained: (id, ms) => log.push(`drained ${id} ${ms}`),
  });
  /** Moves the clock by `ms` and lets one 5 ms tick run (as a late timer would). */
  const late = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(5);
  };
  return { p, frames, log, late };
}

/** `ms` of 24 kHz audio. */
const audio = (ms: number) => new Int16Array(24 * ms).fill(1000);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("AudioPacer", () => {
  it("sends one 960-sample frame per 20 ms slot, catching up after a late timer, and drains a response it was told has ended", () => {
    const { p, frames, log, late } = pacer();
    p.push("resp_1", audio(200));
    expect(frames.map((f) => [f.slot, f.resumed])).toEqual([[0, true]]);
    expect(frames[0]!.pcm.length).toBe(960);
    late(15);
    expect(frames).toHaveLength(1);
    late(50); // 65 ms: the slots of 20, 40 and 60 ms are due at once
    expect(frames.map((f) => f.slot)).toEqual([0, 1, 2, 3]);
    p.end("resp_1");
    for (let i = 0; i < 10; i++) late(20);
    expect(frames.map((f) => f.slot)).toEqual([...Array(frames.length).keys()]);
    expect(frames.length).toBeGreaterThanOrEqual(10); // 200 ms, plus the resampler's tail rounded up to a frame
    expect(log).toEqual(["started resp_1", `drained resp_1 ${frames.length * 20}`]);
    expect(p.active).toBe(false);
  });

  it("after a pause with nothing to send, restarts at the current slot with the marker, not in a burst", () => {
    const { p, frames, late } = pacer();
    p.push("resp_1", audio(40));
    late(20);
    late(20); // nothing left to send at this slot: paused
    const before = frames.length;
    late(200);
    expect(frames).toHaveLength(before);
    p.push("resp_1", audio(100));
    const resumed = frames[before]!;
    expect(resumed.resumed).toBe(true);
    expect(resumed.slot).toBe(Math.floor(240 / 20));
    expect(frames.slice(before)).toHaveLength(1);
    p.close();
  });

  it("starts the next response at the current slot, after one drained or cut, not with a burst of the slots between", () => {
    const { p, frames, late } = pacer();
    p.push("resp_1", audio(20));
    p.end("resp_1");
    late(20);
    late(20);
    late(500);
    p.push("resp_2", audio(100));
    expect(frames.at(-1)).toMatchObject({ slot: Math.floor(540 / 20), resumed: true });
    late(300);
    p.cut();
    const count = frames.length;
    p.push("resp_3", audio(100));
    expect(frames.length).toBe(count + 1);
    expect(frames.at(-1)).toMatchObject({ slot: Math.floor(840 / 20), resumed: true });
    p.close();
  });

  it("cut drops what was not sent and reports what was, per response", () => {
    const { p, frames, log, late } = pacer();
    p.push("resp_1", audio(500));
    late(20);
    late(20);
    expect(p.cut()).toEqual([{ responseId: "resp_1", sentMs: frames.length * 20 }]);
    late(100);
    expect(frames).toHaveLength(3);
    expect(log).toEqual(["started resp_1"]);
    expect(p.cut()).toEqual([]);
  });
});
