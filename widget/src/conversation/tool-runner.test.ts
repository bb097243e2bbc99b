import { describe, expect, test } from "vitest";
import { runTool } from "./tool-runner.ts";

const signal = new AbortController().signal;
const tools = {
  add: (args: unknown) => {
    const { a, b } = args as { a: number; b: number };
    return { sum: a + b };
  },
  boom: async () => {
    throw new Error("kaput");
  },
};

describe("runTool", () => {
  test("passes parsed arguments and returns the JSON result", async () => {
    const { detail, content } = await runTool(tools, { id: "1", name: "add", arguments: '{"a":2,"b":3}' }, signal);
    expect(content).toBe('{"sum":5}');
    expect(detail).toMatchObject({ id: "1", name: "add", arguments: { a: 2, b: 3 }, result: { sum: 5 } });
  });

  test.each([
    [{ id: "2", name: "missing", arguments: "{}" }, 'No handler for tool \\"missing\\"'],
    [{ id: "3", name: "add", arguments: "{nope" }, "not valid JSON"],
    [{ id: "4", name: "boom", arguments: "" }, "kaput"],
    [{ id: "5", name: "toString", arguments: "" }, "No handler"],
  ])("%o → error", async (call, message) => {
    const { detail, content } = await runTool(tools, call, signal);
    expect(content).toContain(message);
    expect(JSON.parse(content)).toHaveProperty("error");
    expect(detail.error).toBeDefined();
  });
});
