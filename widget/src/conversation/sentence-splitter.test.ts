import { describe, expect, test } from "vitest";
import { SentenceSplitter } from "./sentence-splitter.ts";

function splitAll(deltas: string[]): string[] {
  const splitter = new SentenceSplitter({ maxChars: 60 });
  const out = deltas.flatMap((d) => splitter.push(d));
  const rest = splitter.flush();
  return rest ? [...out, rest] : out;
}

describe("SentenceSplitter", () => {
  test("emits a sentence only once the whitespace after its stop arrives", () => {
    const splitter = new SentenceSplitter();
    expect(splitter.push("This is the offline demo.")).toEqual([]);
    expect(splitter.push(" You said")).toEqual(["This is the offline demo."]);
    expect(splitter.push(": I spoke for 2.3 seconds.")).toEqual([]);
    expect(splitter.flush()).toBe("You said: I spoke for 2.3 seconds.");
  });

  test.each([
    [["Hi! How are you? Fine."], ["Hi!", "How are you?", "Fine."]],
    [["It costs $2.50 today. Ok."], ["It costs $2.50 today.", "Ok."]],
    [["See e.g. the tent. Then"], ["See e.g. the tent.", "Then"]],
    [["Dr. Smith is in. Yes."], ["Dr. Smith is in.", "Yes."]],
    [["Wait... what?! Really."], ["Wait...", "what?!", "Really."]],
    [['He said "go." Then left.'], ['He said "go."', "Then left."]],
    [["One\n\nTwo"], ["One", "Two"]],
    [
      ["Th", "is is ", "split. Acr", "oss. deltas"],
      ["This is split.", "Across.", "deltas"],
    ],
  ])("%j → %j", (deltas, sentences) => {
    expect(splitAll(deltas)).toEqual(sentences);
  });

  test("cuts an overlong sentence at a space", () => {
    const long = "word ".repeat(30);
    const parts = splitAll([long]);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 60)).toBe(true);
    expect(parts.join(" ")).toBe(long.trim());
  });

  test("flush of an empty splitter is empty", () => {
    expect(new SentenceSplitter().flush()).toBe("");
  });
});
