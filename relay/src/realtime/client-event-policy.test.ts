import { describe, expect, it } from "vitest";
import { screenClientEvent } from "./client-event-policy.ts";

const tools = new Set(["lookup_order"]);
const screen = (event: Record<string, unknown>) => screenClientEvent(event, tools);

describe("screenClientEvent", () => {
  it("passes audio, truncation, cancel, messages, tool results and a plain response.create", () => {
    for (const event of [
      { type: "input_audio_buffer.append", audio: "AAAA" },
      { type: "input_audio_buffer.commit" },
      { type: "conversation.item.truncate", item_id: "i", content_index: 0, audio_end_ms: 10 },
      { type: "response.cancel" },
      { type: "response.create" },
      { type: "response.create", response: { metadata: { turn: "1" } } },
      { type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] } },
      { type: "conversation.item.create", item: { type: "message", role: "assistant", content: [{ type: "output_text", text: "hello" }] } },
      { type: "conversation.item.create", item: { type: "function_call_output", call_id: "c", output: "{}" } },
      { type: "conversation.item.create", item: { type: "function_call", name: "lookup_order", call_id: "c", arguments: "{}" } },
    ]) {
      expect(screen(event)).toBeUndefined();
    }
  });

  it("refuses what the agent fixes and what it does not know, naming the field", () => {
    expect(screen({ type: "session.update", session: {} })).toMatchObject({ code: "policy_refused", param: "session" });
    expect(screen({ type: "transcription_session.update" })).toMatchObject({ code: "policy_refused" });
    expect(screen({ type: "response.create", response: { voice: "x" } })).toMatchObject({ param: "response.voice" });
    expect(screen({ type: "response.create", response: "now" })).toMatchObject({ code: "invalid_event", param: "response" });
    expect(screen({ type: "conversation.item.create", item: { type: "message", role: "system" } })).toMatchObject({ param: "item.role" });
    expect(screen({ type: "conversation.item.create", item: { type: "function_call", name: "other" } })).toMatchObject({
      param: "item.name",
    });
    expect(screen({ type: "conversation.item.create", item: { type: "mcp_call" } })).toMatchObject({ param: "item.type" });
    expect(screen({ type: "conversation.item.create" })).toMatchObject({ code: "invalid_event", param: "item" });
    expect(screen({ type: "anything.else" })).toMatchObject({ code: "policy_refused", param: "type" });
    expect(screen({ type: 7 })).toMatchObject({ code: "invalid_event", param: "type" });
  });

  it("refuses a result for a server tool's call, which only the relay answers", () => {
    const output = (callId: string) => ({
      type: "conversation.item.create",
      item: { type: "function_call_output", call_id: callId, output: "{}" },
    });
    const relayCalls = new Set(["call_server"]);
    expect(screenClientEvent(output("call_server"), tools, relayCalls)).toMatchObject({ code: "policy_refused", param: "item.call_id" });
    expect(screenClientEvent(output("call_client"), tools, relayCalls)).toBeUndefined();
  });
});
