import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveAgents } from "./agent-config.ts";

const valid = () => JSON.parse(readFileSync(new URL("../agents.json", import.meta.url), "utf8")) as { agents: Record<string, unknown>[] };

describe("resolveAgents", () => {
  it("accepts the shipped agents.json and applies defaults", () => {
    const json = valid();
    delete (json.agents[0]!.tts as Record<string, unknown>).speed;
    const [agent] = resolveAgents(json, "agents.json");
    expect(agent?.id).toBe("demo");
    expect(agent?.tts.speed).toBe(1);
  });

  it("lists every problem with its path in one error", () => {
    const json = valid();
    const agent = json.agents[0]!;
    agent.allowedOrigins = ["http://localhost:5173", "localhost:5173", "https://example.com/path"];
    agent.llm = { model: "m", maxTokens: -1 };
    agent.allowedOrigin = [];
    let message = "";
    try {
      resolveAgents(json, "agents.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(
      'agents.json: agents[0].allowedOrigins[1]: "localhost:5173" is not an origin (expected like https://example.com)',
    );
    expect(message).toContain('agents[0].allowedOrigins[2]: "https://example.com/path" is not an origin');
    expect(message).toContain("agents.json: agents[0].llm.maxTokens:");
    expect(message).toContain('agents.json: agents[0]: Unrecognized key: "allowedOrigin"');
    expect(message.split("\n")).toHaveLength(4);
  });

  it("rejects duplicate ids naming both places", () => {
    const json = valid();
    json.agents.push({ ...json.agents[0]! });
    expect(() => resolveAgents(json, "my-agents.json")).toThrow(
      'my-agents.json: agents[1].id: duplicate agent id "demo" (also agents[0].id)',
    );
  });

  it("explains a wrong top-level shape", () => {
    expect(() => resolveAgents([], "agents.json")).toThrow(/^agents\.json: \(root\): /);
  });
});
