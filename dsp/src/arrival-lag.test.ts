import { describe, expect, it } from "vitest";
import { ArrivalLag } from "./arrival-lag.ts";

/** One reply of `chunks` chunks of `frames` frames, chunk k arriving at `start + k × every` (+ `late[k]`). */
function reply(lag: ArrivalLag, start: number, chunks: number, frames: number, every: number, late: number[] = []): void {
  lag.next();
  for (let k = 0; k < chunks; k++) lag.arrive(start + k * every + (late[k] ?? 0), frames);
}

describe("ArrivalLag", () => {
  it("knows nothing until a reply has ended", () => {
    const lag = new ArrivalLag();
    expect(lag.learnt).toBeUndefined();
    reply(lag, 0, 5, 100, 100);
    expect(lag.learnt).toBeUndefined();
    lag.next();
    expect(lag.learnt).toBe(0);
  });

  it("needs no delay for audio at real time or faster, the lateness of a late chunk, and the deficit of a slow stream", () => {
    const lag = new ArrivalLag();
    reply(lag, 1000, 10, 100, 33); // 3× real time
    reply(lag, 5000, 10, 100, 100); // real time
    lag.next();
    expect(lag.learnt).toBe(0);
    reply(lag, 9000, 10, 100, 100, [0, 0, 0, 30]); // chunk 3 is 30 frames late
    lag.next();
    expect(lag.learnt).toBe(30);
    reply(lag, 20_000, 10, 100, 200); // half real time: chunk 9 comes 900 frames after the 900 before it ran out
    lag.next();
    expect(lag.learnt).toBe(900);
  });

  it("forgets a slow provider by half per later reply, and counts the current reply once it needs more", () => {
    const lag = new ArrivalLag();
    reply(lag, 0, 3, 100, 300); // needs 400
    reply(lag, 2000, 3, 100, 100);
    expect(lag.learnt).toBe(400);
    reply(lag, 4000, 3, 100, 100);
    expect(lag.learnt).toBe(200);
    lag.next();
    expect(lag.learnt).toBe(100);
    lag.arrive(5000, 100); // the current reply, first chunk at 5000
    lag.arrive(5500, 100); // 400 frames late: more than learnt
    expect(lag.learnt).toBe(400);
    expect(lag.sinceFirst(5600)).toBe(600);
  });
});
