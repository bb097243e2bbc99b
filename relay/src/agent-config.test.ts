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

  it("reads a server tool with its defaults, the agent's toolHosts and maxToolRounds", () => {
    const json = valid();
    Object.assign(json.agents[0]!, {
      toolHosts: ["api.example.com", "127.0.0.1:9000", "[::1]:9000"],
      tools: [
        { name: "lookup_order", parameters: { type: "object", properties: {} } },
        {
          name: "track_order",
          runs: "server",
          parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
          http: { url: "https://api.example.com/track", headers: { authorization: { env: "ORDERS_TOKEN" } } },
        },
      ],
    });
    const [agent] = resolveAgents(json, "agents.json");
    expect(agent?.maxToolRounds).toBe(3);
    expect(agent?.tools[0]?.runs).toBe("client");
    expect(agent?.tools[1]).toMatchObject({
      runs: "server",
      http: { url: "https://api.example.com/track", method: "POST", headers: { authorization: { env: "ORDERS_TOKEN" } }, timeoutMs: 5000 },
    });
  });

  it("names each problem of a server tool", () => {
    const json = valid();
    Object.assign(json.agents[0]!, {
      toolHosts: ["https://api.example.com", "api.example.com/path"],
      maxToolRounds: 11,
      tools: [
        { name: "a", runs: "server" },
        { name: "b", http: { url: "https://api.example.com/b" } },
        { name: "c", runs: "server", http: { url: "ftp://api.example.com/c", headers: { authorization: "Bearer sk-123" } } },
        { name: "d", runs: "server", parameters: { type: "nonsense" }, http: { url: "https://api.example.com/d" } },
      ],
    });
    let message = "";
    try {
      resolveAgents(json, "agents.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('agents[0].toolHosts[0]: "https://api.example.com" is not a host');
    expect(message).toContain('agents[0].toolHosts[1]: "api.example.com/path" is not a host');
    expect(message).toContain("agents[0].maxToolRounds:");
    expect(message).toContain('agents[0].tools[0].http: a server tool needs "http"');
    expect(message).toContain('agents[0].tools[1].http: "http" is for server tools ("runs": "server")');
    expect(message).toContain('agents[0].tools[2].http.url: "ftp://api.example.com/c" is not an http(s) URL');
    expect(message).toContain("agents[0].tools[2].http.headers.authorization:");
    expect(message).toContain("agents[0].tools[3].parameters: not a usable JSON Schema:");
  });
});
