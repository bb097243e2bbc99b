import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "./test-server.ts";
import type { TestServer } from "./test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ latency: { llmFirstTokenMs: 2, llmPerTokenMs: 2 } });
});
afterAll(() => server.close());

const messages = [
  { role: "system" as const, content: "You are a secret agent." },
  { role: "user" as const, content: "Tell me about the blue whale" },
];

describe("POST /v1/chat/completions", () => {
  it("streams the same reply word by word that it gives unstreamed", async () => {
    const whole = await server.client.chat.completions.create({ model: "m", messages });
    const text = whole.choices[0]?.message.content;
    expect(text).toContain("Tell me about the blue whale");
    expect(text).not.toContain("secret");

    const stream = await server.client.chat.completions.create({ model: "m", messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    const contents = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "");
    expect(contents.filter(Boolean).length).toBeGreaterThan(5);
    expect(contents.join("")).toBe(text);
    expect(server.requests.at(-1)).toMatchObject({ route: "chat", model: "m", messages, stream: true, aborted: false });
  });

  it("answers a structured-output request with a JSON instance of its schema, quoting the transcript's visitor", async () => {
    const schema = {
      type: "object",
      properties: {
        summary: { type: "string" },
        mood: { type: "string", enum: ["calm", "angry"] },
        quote: { type: ["string", "null"] },
        score: { type: "integer", minimum: 1, maximum: 5 },
        tags: { type: "array", items: { type: "boolean" }, minItems: 2 },
      },
    };
    const whole = await server.client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "Transcript:\nVisitor: Where is my parcel?\nAgent: On its way." }],
      tools: [{ type: "function", function: { name: "parcel" } }],
      response_format: { type: "json_schema", json_schema: { name: "x", strict: true, schema } },
    });
    expect(whole.choices[0]?.message.tool_calls).toBeUndefined();
    expect(JSON.parse(whole.choices[0]?.message.content ?? "")).toEqual({
      summary: 'summary: the visitor said "Where is my parcel?"',
      mood: "calm",
      quote: "Where is my parcel?",
      score: 3,
      tags: [true, true],
    });
  });

  it("sends a usage chunk when asked to", async () => {
    const stream = await server.client.chat.completions.create({
      model: "m",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const words = chunks
      .map((chunk) => chunk.choices[0]?.delta.content ?? "")
      .join("")
      .split(" ").length;
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: words } });
  });

  it("records that the client stopped reading mid-stream", async () => {
    const slow = await startTestServer({ latency: { llmFirstTokenMs: 30, llmPerTokenMs: 30 } });
    try {
      const stream = await slow.client.chat.completions.create({ model: "m", messages, stream: true });
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) break;
      await expect.poll(() => slow.requests.at(-1)?.aborted, { timeout: 2000 }).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it("refuses a request without messages", async () => {
    await expect(server.client.chat.completions.create({ model: "m", messages: [] })).rejects.toMatchObject({
      status: 400,
      code: "invalid_messages",
    });
  });
});

describe("POST /v1/chat/completions with tools", () => {
  const tools = [{ type: "function" as const, function: { name: "lookup_order", parameters: { type: "object", properties: {} } } }];

  it("calls the tool the last user message names, streamed as tool_calls", async () => {
    const stream = await server.client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "Please run lookup_order for me" }],
      tools,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_standin_\d+$/), function: { name: "lookup_order" } });
    expect(calls.map((c) => c.function?.arguments).join("")).toBe("{}");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("answers a tool result with text quoting it, and ignores tool names when no tools are offered", async () => {
    const whole = await server.client.chat.completions.create({
      model: "m",
      tools,
      messages: [
        { role: "user", content: "lookup_order" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup_order", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"status":"shipped"}' },
      ],
    });
    expect(whole.choices[0]?.message.content).toBe('The tool returned: {"status":"shipped"}.');
    const plain = await server.client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "lookup_order" }] });
    expect(plain.choices[0]?.message.content).toBe("This is the offline demo. You said: lookup_order.");
  });
});
