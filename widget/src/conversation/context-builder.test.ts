import { describe, expect, test } from "vitest";
import type { StoredMessage } from "../history/history-store.ts";
import { buildContext } from "./context-builder.ts";

let seq = 0;
function msg(role: StoredMessage["role"], text: string, extra: Partial<StoredMessage> = {}): StoredMessage {
  return { id: `m${seq}`, conversationId: "c", seq: seq++, role, text, createdAt: 0, ...extra };
}

describe("buildContext", () => {
  const history = [
    msg("assistant", "Hello! How can I help?"),
    msg("user", "one"),
    msg("assistant", "reply one"),
    msg("user", "two"),
    msg("assistant", "This is long. It goes on.", { interrupted: true, heardText: "This is long." }),
    msg("user", "three"),
  ];

  test("keeps everything (greeting included) within the turn bound", () => {
    expect(buildContext(history, 10)).toEqual([
      { role: "assistant", content: "Hello! How can I help?" },
      { role: "user", content: "one" },
      { role: "assistant", content: "reply one" },
      { role: "user", content: "two" },
      { role: "assistant", content: "This is long." },
      { role: "user", content: "three" },
    ]);
  });

  test("keeps only the last N turns", () => {
    expect(buildContext(history, 2).map((m) => m.content)).toEqual(["two", "This is long.", "three"]);
    expect(buildContext(history, 1).map((m) => m.content)).toEqual(["three"]);
  });

  test("an interrupted reply of which nothing was heard is left out", () => {
    const h = [msg("user", "hi"), msg("assistant", "Long answer.", { interrupted: true, heardText: "" }), msg("user", "again")];
    expect(buildContext(h, 5)).toEqual([
      { role: "user", content: "hi" },
      { role: "user", content: "again" },
    ]);
  });

  test("tool calls and results stay in order", () => {
    const h = [
      msg("user", "weather?"),
      msg("assistant", "", { toolCalls: [{ id: "call_1", name: "weather", arguments: '{"city":"Oslo"}' }] }),
      msg("tool", '{"temp":3}', { toolCallId: "call_1" }),
      msg("assistant", "It is 3 degrees."),
    ];
    expect(buildContext(h, 5)).toEqual([
      { role: "user", content: "weather?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"temp":3}' },
      { role: "assistant", content: "It is 3 degrees." },
    ]);
  });

  test("empty history → empty context", () => {
    expect(buildContext([], 5)).toEqual([]);
  });
});
