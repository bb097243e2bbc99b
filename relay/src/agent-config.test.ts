import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveAgents } from "./agent-config.ts";
import { contextWarnings } from "./page-context.ts";

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

  it("reads an analysis with its defaults, and names each problem of one", () => {
    const json = valid();
    const [agent] = resolveAgents(json, "agents.json");
    expect(agent?.analysis).toMatchObject({ model: "gpt-4.1-mini", instructions: "", outcomes: ["resolved", "unresolved", "escalated"] });
    expect(agent?.analysis?.rubric[0]).toMatchObject({ id: "helpfulness", min: 1, max: 5 });
    json.agents[0]!.analysis = {
      model: "m",
      questions: [
        { id: "a", question: "One?" },
        { id: "a", question: "Two?" },
      ],
      rubric: [{ id: "r", criterion: "c", min: 5, max: 5 }],
      schema: {},
    };
    expect(() => resolveAgents(json, "agents.json")).toThrow('agents.json: agents[0].analysis: Unrecognized key: "schema"');
    delete (json.agents[0]!.analysis as Record<string, unknown>).schema;
    let message = "";
    try {
      resolveAgents(json, "agents.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("agents.json: agents[0].analysis.rubric[0].max: min must be below max");
    (json.agents[0]!.analysis as { rubric: unknown[] }).rubric = [];
    expect(() => resolveAgents(json, "agents.json")).toThrow("agents.json: agents[0].analysis: questions: ids must be unique");
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

  it("reads an agent's page context and the placeholders of its prompt", () => {
    const json = valid();
    Object.assign(json.agents[0]!, {
      systemPrompt: "The visitor is {{name}} on the {{ plan }} plan, {{cartItems}} items. Unused: none.",
      context: {
        name: { type: "string", maxLength: 60 },
        plan: { type: "enum", values: ["free", "pro"], default: "free" },
        cartItems: { type: "integer", min: 0, max: 999, required: true },
        member: { type: "boolean" },
      },
    });
    const [agent] = resolveAgents(json, "agents.json");
    expect(agent!.context).toEqual({
      name: { type: "string", maxLength: 60, required: false },
      plan: { type: "enum", values: ["free", "pro"], default: "free", required: false },
      cartItems: { type: "integer", min: 0, max: 999, required: true },
      member: { type: "boolean", required: false },
    });
    expect(contextWarnings([agent!])).toEqual([
      "agent demo: context variable member appears in no {{member}} of its systemPrompt, so the model never sees it",
    ]);
    expect(resolveAgents(valid(), "agents.json")[0]!.context).toEqual({});
  });

  it("refuses a placeholder that names no declared variable, and each bad declaration", () => {
    const json = valid();
    Object.assign(json.agents[0]!, {
      systemPrompt: "Hello {{name}}, your {{plna}} plan.",
      context: {
        name: { type: "string" },
        plan: { type: "enum", values: ["free", "pro"], default: "gold" },
        big: { type: "string", maxLength: 2001 },
        n: { type: "integer", min: 5, max: 1 },
        "bad-name": { type: "boolean" },
        r: { type: "boolean", required: true, default: false },
        f: { type: "float" },
      },
    });
    let message = "";
    try {
      resolveAgents(json, "agents.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("agents.json: agents[0].context.name.maxLength:");
    expect(message).toContain('agents[0].context.plan.default: the default is not a valid value: expected one of "free", "pro"');
    expect(message).toContain("agents[0].context.big.maxLength:");
    expect(message).toContain("agents[0].context.n.max: max (1) is below min (5)");
    expect(message).toContain("agents[0].context.bad-name:");
    expect(message).toContain("agents[0].context.r.default: a required variable has no default");
    expect(message).toContain("agents[0].context.f.type:");

    // With a valid declaration, the misspelt placeholder is what is left.
    Object.assign(json.agents[0]!, { context: { name: { type: "string", maxLength: 60 }, plan: { type: "enum", values: ["free"] } } });
    expect(() => resolveAgents(json, "agents.json")).toThrow(
      'agents.json: agents[0].systemPrompt: {{plna}} names no variable of "context" (declared: name, plan)',
    );
    Object.assign(json.agents[0]!, { context: undefined, systemPrompt: "Hi {{ name }}" });
    expect(() => resolveAgents(json, "agents.json")).toThrow('{{name}} names no variable of "context" (it declares none)');
  });
});
