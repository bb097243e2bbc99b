import { describe, expect, test } from "vitest";
import { ChatChunkReader } from "./chat-chunks.ts";

describe("ChatChunkReader", () => {
  test("text deltas pass through; usage is reported", () => {
    const reader = new ChatChunkReader();
    expect(reader.push({ choices: [{ delta: { content: "Hi" } }] })).toEqual([{ type: "text", text: "Hi" }]);
    expect(reader.push({ choices: [{ delta: {}, finish_reason: "stop" }] })).toEqual([]);
    expect(reader.push({ choices: [], usage: { completion_tokens: 7 } })).toEqual([{ type: "usage", completionTokens: 7 }]);
  });

  test("the relay's server-tool events (no choices, a voice_agent member) become server-tool deltas", () => {
    const reader = new ChatChunkReader();
    const chunk = (status: string) => ({ choices: [], voice_agent: { type: "tool", name: "track_order", status } });
    expect(reader.push(chunk("running"))).toEqual([{ type: "server-tool", name: "track_order", running: true }]);
    expect(reader.push(chunk("failed"))).toEqual([{ type: "server-tool", name: "track_order", running: false }]);
    expect(reader.push({ choices: [], voice_agent: { type: "other", name: "x" } })).toEqual([]);
  });

  test("assembles tool calls streamed in pieces, in index order", () => {
    const reader = new ChatChunkReader();
    reader.push({ choices: [{ delta: { tool_calls: [{ index: 1, id: "b", function: { name: "two", arguments: "" } }] } }] });
    reader.push({ choices: [{ delta: { tool_calls: [{ index: 0, id: "a", function: { name: "one", arguments: '{"x"' } }] } }] });
    reader.push({ choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: ":1}" } }] } }] });
    expect(reader.push({ choices: [{ delta: {}, finish_reason: "tool_calls" }] })).toEqual([
      { type: "tool-call", id: "a", name: "one", arguments: '{"x":1}' },
      { type: "tool-call", id: "b", name: "two", arguments: "" },
    ]);
    expect(reader.end()).toEqual([]);
  });

  test("end() releases calls when no finish reason came", () => {
    const reader = new ChatChunkReader();
    reader.push({ choices: [{ delta: { tool_calls: [{ index: 0, id: "a", function: { name: "f", arguments: "{}" } }] } }] });
    expect(reader.end()).toEqual([{ type: "tool-call", id: "a", name: "f", arguments: "{}" }]);
  });
});
