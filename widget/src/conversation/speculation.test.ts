import { describe, expect, it } from "vitest";
import type { Utterance } from "../audio/audio-engine.ts";
import { Speculations } from "./speculation.ts";

const utterance = (ms: number, startMs = 0): Utterance => ({ audio: new Float32Array(ms * 16), startMs, endMs: startMs + ms });

function speculations(fail = false) {
  const signals: AbortSignal[] = [];
  const answered: string[] = [];
  const closed = new AbortController();
  const s = new Speculations(
    {
      async transcribe(u, turnId, signal) {
        signals.push(signal);
        if (fail) throw new Error("upstream down");
        return { text: `${turnId}: ${u.endMs} ms` };
      },
      answer(transcript, turnId, signal) {
        answered.push(`${turnId} ${signal.aborted}`);
        return { messages: [{ role: "user", content: transcript.text }], deltas: [] as never };
      },
    },
    closed.signal,
  );
  return { s, signals, answered, closed };
}

describe("Speculations", () => {
  it("hands the speculation to a turn that ends on the same utterance, with its transcript and turn id", async () => {
    const { s, signals } = speculations();
    s.begin(utterance(1200), "turn-a");
    const taken = s.take(utterance(1200));
    expect(taken?.turnId).toBe("turn-a");
    expect(await taken?.transcript).toEqual({ text: "turn-a: 1200 ms" });
    // The reply was asked for on the transcript, before the transcript's reader resumed.
    expect(taken?.reply?.messages).toEqual([{ role: "user", content: "turn-a: 1200 ms" }]);
    expect(signals[0]!.aborted).toBe(false);
    expect(s.take(utterance(1200))).toBeUndefined(); // taken once
  });

  it("aborts it for another utterance (longer, or starting elsewhere), on drop, on a new pause and when closed", () => {
    const { s, signals, closed } = speculations();
    s.begin(utterance(800), "t1");
    expect(s.take(utterance(1600))).toBeUndefined();
    s.begin(utterance(800), "t2");
    expect(s.take(utterance(800, 32))).toBeUndefined();
    s.begin(utterance(800), "t3");
    s.drop();
    s.begin(utterance(800), "t4");
    s.begin(utterance(900), "t5");
    closed.abort();
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true, true, true, true]);
  });

  it("asks for no reply once aborted before the transcript arrived", async () => {
    const { s, answered } = speculations();
    s.begin(utterance(800), "t1");
    s.drop();
    s.begin(utterance(900), "t2");
    expect(await s.take(utterance(900))?.transcript).toBeDefined();
    expect(answered).toEqual(["t2 false"]);
  });

  it("gives an undefined transcript when the transcription failed (the turn then transcribes itself)", async () => {
    const { s } = speculations(true);
    s.begin(utterance(500), "t");
    const taken = s.take(utterance(500));
    expect(await taken?.transcript).toBeUndefined();
    expect(taken?.reply).toBeUndefined();
  });
});
