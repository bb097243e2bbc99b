import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkText, PASSAGE_TOKENS } from "./chunk-text.ts";

const fixture = (name: string) => readFileSync(new URL(`../../test/knowledge/${name}`, import.meta.url), "utf8");

/** `n` paragraphs of about `words` words each, every one numbered so its order can be checked. */
const paragraphs = (n: number, words: number) =>
  Array.from({ length: n }, (_, i) => `Paragraph ${i} ${Array.from({ length: words }, (_, w) => `word${(i * 7 + w) % 50}`).join(" ")}.`);

describe("chunkText", () => {
  it("cuts Markdown at its headings, each passage with its heading path, file and a readable id", () => {
    const passages = chunkText(fixture("shop-faq.md"), "knowledge/shop-faq.md");
    expect(passages.map((p) => [p.id, p.heading])).toEqual([
      ["knowledge/shop-faq.md#lumen-lamps-faq-1", "Lumen Lamps FAQ"],
      ["knowledge/shop-faq.md#lumen-lamps-faq-returns-and-refunds-1", "Lumen Lamps FAQ › Returns and refunds"],
      ["knowledge/shop-faq.md#lumen-lamps-faq-shipping-1", "Lumen Lamps FAQ › Shipping"],
      ["knowledge/shop-faq.md#lumen-lamps-faq-shipping-international-shipping-1", "Lumen Lamps FAQ › Shipping › International shipping"],
      ["knowledge/shop-faq.md#lumen-lamps-faq-warranty-1", "Lumen Lamps FAQ › Warranty"],
    ]);
    expect(passages.every((p) => p.file === "knowledge/shop-faq.md")).toBe(true);
    // Both paragraphs of a short section are one passage; a `#` line inside fenced code is text, not a heading.
    expect(passages[1]!.text).toMatch(/^You can return any lamp[\s\S]*\n\nLamps bought on sale/);
    expect(passages[4]!.text).toContain("# This heading is inside a code block");
    expect(passages[1]!.tokens).toBe(Math.ceil(passages[1]!.text.length / 4));
  });

  it("reads plain text as paragraphs without headings, even lines that look like Markdown headings", () => {
    const passages = chunkText(`${fixture("care-guide.txt")}\n# not a heading\n`, "care-guide.txt");
    expect(passages).toHaveLength(1);
    expect(passages[0]).toMatchObject({ id: "care-guide.txt#1", heading: "", file: "care-guide.txt" });
    expect(passages[0]!.text).toMatch(/^Cleaning your lamp\n\n[\s\S]*# not a heading$/);
  });

  it("packs a long section's paragraphs into passages of at most 250 tokens, losing and reordering nothing", () => {
    const paras = paragraphs(40, 45);
    const passages = chunkText(`# Manual\n\n${paras.join("\n\n")}\n`, "manual.md");
    expect(passages.length).toBeGreaterThan(5);
    for (const p of passages) expect(p.tokens).toBeLessThanOrEqual(PASSAGE_TOKENS.max);
    // Every passage but the section's last is past the minimum: packing fills them.
    for (const p of passages.slice(0, -1)) expect(p.tokens).toBeGreaterThanOrEqual(PASSAGE_TOKENS.min);
    expect(passages.map((p) => p.text).join("\n\n")).toBe(paras.join("\n\n"));
    expect(passages.map((p) => p.id)).toEqual(passages.map((_, i) => `manual.md#manual-${i + 1}`));
  });

  it("splits a paragraph longer than a passage at sentence ends, and a run-on sentence at spaces", () => {
    const sentences = Array.from({ length: 60 }, (_, i) => `Sentence ${i} says something about lamps and light.`);
    const runOn = Array.from({ length: 800 }, (_, i) => `w${i}`).join(" ");
    const passages = chunkText(`${sentences.join(" ")}\n\n${runOn}`, "long.txt");
    for (const p of passages) expect(p.tokens).toBeLessThanOrEqual(PASSAGE_TOKENS.max);
    const sentencePassages = passages.filter((p) => p.text.startsWith("Sentence"));
    expect(sentencePassages.length).toBeGreaterThan(1);
    for (const p of sentencePassages) expect(p.text).toMatch(/\.$/);
    expect(passages.map((p) => p.text).join(" ")).toBe(`${sentences.join(" ")} ${runOn}`);
  });

  it("keeps other sections' ids when one section changes, and numbers repeated headings apart", () => {
    const before = chunkText("# A\n\nalpha\n\n# B\n\nbeta\n\n# B\n\nbeta again\n", "f.md");
    const after = chunkText(`# A\n\n${paragraphs(12, 45).join("\n\n")}\n\n# B\n\nbeta\n\n# B\n\nbeta again\n`, "f.md");
    expect(before.map((p) => p.id)).toEqual(["f.md#a-1", "f.md#b-1", "f.md#b-2"]);
    expect(after.filter((p) => p.heading === "B").map((p) => [p.id, p.text])).toEqual([
      ["f.md#b-1", "beta"],
      ["f.md#b-2", "beta again"],
    ]);
  });

  it("reads Windows and old Mac line endings like Unix ones", () => {
    const unix = "# A\n\nalpha one\n\nalpha two\n\n# B\n\nbeta\n";
    expect(chunkText(unix.replaceAll("\n", "\r\n"), "f.md")).toEqual(chunkText(unix, "f.md"));
    expect(chunkText("one\r\rtwo", "f.txt")).toEqual(chunkText("one\n\ntwo", "f.txt"));
  });

  it("drops empty sections and gives no passage for an empty file", () => {
    expect(chunkText("# Only a title\n\n## And a subtitle\n", "empty.md")).toEqual([]);
    expect(chunkText("  \n\n", "blank.txt")).toEqual([]);
  });
});
