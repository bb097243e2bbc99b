/** Client tools end to end: the openai SDK → relay → stand-in, tool calls streamed back and results accepted. */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "./protocol.ts";
import { TEST_ORIGIN } from "../test/fixtures.ts";
import { startRelayWithStandin } from "../test/servers.ts";

describe("client tools through the relay", () => {
  let servers: Awaited<ReturnType<typeof startRelayWithStandin>>;
  let client: OpenAI;

  beforeAll(async () => {
    servers = await startRelayWithStandin({}, { latency: { llmFirstTokenMs: 1, llmPerTokenMs: 1 } });
    const res = await fetch(`${servers.url}/v1/sessions`, {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ agent: "demo" }),
    });
    const { token } = (await res.json()) as CreateSessionResponse;
    client = new OpenAI({ apiKey: token, baseURL: `${servers.url}/v1`, maxRetries: 0, defaultHeaders: { origin: TEST_ORIGIN } });
  });
  afterAll(() => servers.close());

  const create = (messages: OpenAI.ChatCompletionMessageParam[]) =>
    client.chat.completions.create({ model: "ignored", messages, stream: true });

  it("offers the agent's tools, streams the call through, and accepts the call and its result back", async () => {
    const calls: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null | undefined;
    for await (const chunk of await create([{ role: "user", content: "please lookup_order A17" }])) {
      calls.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    const id = calls[0]?.id ?? "";
    expect(calls[0]?.function?.name).toBe("lookup_order");

    let text = "";
    const followUp = await create([
      { role: "user", content: "please lookup_order A17" },
      { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "lookup_order", arguments: "{}" } }] },
      { role: "tool", tool_call_id: id, content: '{"status":"shipped"}' },
    ]);
    for await (const chunk of followUp) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe('The tool returned: {"status":"shipped"}.');
  });

  it.each([
    [
      "a tool the agent does not declare",
      [
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "rm_rf", arguments: "{}" } }],
        },
      ],
      /no client tool "rm_rf"/,
    ],
    ["a result answering no call", [{ role: "tool", tool_call_id: "call_9", content: "{}" }], /answers no earlier tool call/],
    [
      "a malformed call id",
      [
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call 1!", type: "function", function: { name: "lookup_order", arguments: "{}" } }],
        },
      ],
      /tool call id/,
    ],
    [
      "an oversized result",
      [
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "lookup_order", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "x".repeat(20_001) },
      ],
      /content/,
    ],
    [
      "a tool message with extra fields",
      [{ role: "tool", tool_call_id: "c1", content: "{}", name: "lookup_order" }],
      /Invalid request body/,
    ],
  ])("refuses %s with 400 bad_request", async (_name, extra, message) => {
    const error = await create([{ role: "user", content: "hi" }, ...(extra as OpenAI.ChatCompletionMessageParam[])]).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ status: 400, error: { code: "bad_request", message: expect.stringMatching(message) } });
  });
});
