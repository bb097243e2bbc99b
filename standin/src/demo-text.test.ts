import { describe, expect, it } from "vitest";
import { chatReplyFor, transcriptFor } from "./demo-text.ts";

describe("transcriptFor", () => {
  it("states the duration to 0.1 s", () => {
    expect(transcriptFor(1500)).toBe("I spoke for 1.5 seconds.");
    expect(transcriptFor(2149)).toBe("I spoke for 2.1 seconds.");
  });
});

describe("chatReplyFor", () => {
  it("echoes the last user message and nothing from the system prompt", () => {
    const reply = chatReplyFor([
      { role: "system", content: "Secret instructions" },
      { role: "user", content: "first question" },
      { role: "assistant", content: "an answer" },
      { role: "user", content: [{ type: "text", text: "What is the weather" }] },
    ]);
    expect(reply).toBe("This is the offline demo. You said: What is the weather.");
  });

  it("keeps long messages short", () => {
    const reply = chatReplyFor([{ role: "user", content: "word ".repeat(100) }]);
    expect(reply.split(" ").length).toBeLessThan(30);
    expect(reply.endsWith("…")).toBe(true);
  });

  it("copes with no user words", () => {
    expect(chatReplyFor([{ role: "system", content: "x" }])).toBe("This is the offline demo. I did not catch any words.");
  });
});
