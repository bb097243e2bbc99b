import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkText, type Passage } from "./chunk-text.ts";
import { estimateTokens } from "./estimate-tokens.ts";
import { KnowledgeIndex, MAX_QUERY_WORDS } from "./knowledge-index.ts";

const FILES = ["shop-faq.md", "care-guide.txt", "gift-cards.md"];
const index = new KnowledgeIndex(
  FILES,
  FILES.flatMap((file) => chunkText(readFileSync(new URL(`../../test/knowledge/${file}`, import.meta.url), "utf8"), file)),
);
const roomy = { maxTokens: 2000, maxPassages: 10 };
const ids = (latest: string, previous?: string, budget = roomy) => index.retrieve({ latest, previous }, budget).map((r) => r.passage.id);

const passage = (id: string, text: string): Passage => ({ id, file: "f.md", heading: "", text, tokens: estimateTokens(text) });

describe("KnowledgeIndex", () => {
  it.each([
    ["How do I return a lamp for a refund?", "shop-faq.md#lumen-lamps-faq-returns-and-refunds-1"],
    ["What bulbs do the lamps take?", "care-guide.txt#1"],
    ["Is there a warranty on the dimmer?", "shop-faq.md#lumen-lamps-faq-warranty-1"],
    ["Do you ship to Switzerland?", "shop-faq.md#lumen-lamps-faq-shipping-international-shipping-1"],
    ["Do gift cards expire?", "gift-cards.md#gift-cards-1"],
    ["what about the warrenty", "shop-faq.md#lumen-lamps-faq-warranty-1"],
  ])("answers %j with the passage about it first", (question, expected) => {
    expect(ids(question)[0]).toBe(expected);
  });

  it("finds nothing for words that are in no passage (or only common words)", () => {
    expect(ids("hello there")).toEqual([]);
    expect(ids("what is it that you do?")).toEqual([]);
    expect(ids("")).toEqual([]);
  });

  it("leans on the visitor's previous message for a follow-up question", () => {
    const followUp = "and how long does it take?";
    expect(ids(followUp)[0]).not.toBe("shop-faq.md#lumen-lamps-faq-shipping-international-shipping-1");
    expect(ids(followUp, "Do you ship to Switzerland?")[0]).toBe("shop-faq.md#lumen-lamps-faq-shipping-international-shipping-1");
  });

  it("searches only the last 32 words of a long message (a pasted page cannot make a search slow)", () => {
    const filler = Array.from({ length: 5000 }, (_, i) => `filler${i}`).join(" ");
    expect(ids(`${filler} Do you ship to Switzerland?`)[0]).toBe("shop-faq.md#lumen-lamps-faq-shipping-international-shipping-1");
    const early = `Do you ship to Switzerland? ${Array.from({ length: MAX_QUERY_WORDS.latest }, (_, i) => `filler${i}`).join(",")}`;
    expect(ids(early)).toEqual([]);
    expect(ids(early.replace("filler0,", ""))[0]).toBe("shop-faq.md#lumen-lamps-faq-shipping-international-shipping-1");
  });

  it("leaves out passages scoring under a fifth of the best", () => {
    const scores = index.retrieve({ latest: "How do I return a lamp for a refund?" }, roomy).map((r) => r.score);
    expect(scores.length).toBeGreaterThan(0);
    for (const score of scores) expect(score).toBeGreaterThanOrEqual(scores[0]! / 5);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("keeps to the token budget and the passage count, skipping a passage that would overflow for a smaller one", () => {
    const small = new KnowledgeIndex(
      ["f.md"],
      [
        passage("big", `lamp lamp lamp ${"x".repeat(800)}`),
        passage("mid", `lamp lamp ${"y".repeat(300)}`),
        passage("tiny1", "lamp shade"),
        passage("tiny2", "lamp base"),
      ],
    );
    const pick = (maxTokens: number, maxPassages: number) =>
      small.retrieve({ latest: "lamp" }, { maxTokens, maxPassages }).map((r) => [r.passage.id, r.passage.tokens]);
    const all = small.retrieve({ latest: "lamp" }, { maxTokens: 10_000, maxPassages: 10 });
    expect(all.map((r) => r.passage.id)[0]).toBe("big");
    const within = pick(100, 10);
    expect(within.map(([id]) => id)).not.toContain("big");
    expect(within.reduce((n, [, tokens]) => n + Number(tokens), 0)).toBeLessThanOrEqual(100);
    expect(within.length).toBeGreaterThanOrEqual(2);
    expect(pick(10_000, 2)).toHaveLength(2);
    expect(pick(1, 10)).toEqual([]);
  });
});
