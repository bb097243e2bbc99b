import { describe, expect, it } from "vitest";
import { HeldTurns } from "./held-turns.ts";

describe("HeldTurns", () => {
  it("holds a turn's writes until its commit, writes them in order, and later ones at once", async () => {
    const turns = new HeldTurns();
    const written: string[] = [];
    const write = (name: string) => async () => void written.push(name);
    turns.hold("s1", "t1", write("transcript"));
    turns.hold("s1", "t1", write("reply"));
    turns.hold("s1", "t2", write("other turn"));
    turns.hold("s2", "t1", write("other session"));
    expect(written).toEqual([]);
    expect(turns.committed("s1", "t1")).toBe(false);

    await turns.commit("s1", "t1");
    expect(written).toEqual(["transcript", "reply"]);
    expect(turns.committed("s1", "t1")).toBe(true);
    turns.hold("s1", "t1", write("late reply"));
    expect(written).toEqual(["transcript", "reply", "late reply"]);
    await turns.commit("s1", "t1");
    expect(written).toHaveLength(3);
  });

  it("forgets a write withdrawn before the commit (a speculation the widget cancelled)", async () => {
    const turns = new HeldTurns();
    const written: string[] = [];
    turns.hold("s", "t", async () => void written.push("transcript"));
    const withdraw = turns.hold("s", "t", async () => void written.push("cancelled reply"));
    withdraw();
    await turns.commit("s", "t");
    expect(written).toEqual(["transcript"]);
  });
});
