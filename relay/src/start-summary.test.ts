import { describe, expect, it } from "vitest";
import { chunkText } from "./knowledge/chunk-text.ts";
import { KnowledgeIndex } from "./knowledge/knowledge-index.ts";
import { startSummary } from "./start-summary.ts";
import { testAgent, testUpstreams } from "../test/fixtures.ts";

describe("startSummary", () => {
  const base = {
    production: false,
    upstreams: { ...testUpstreams("http://127.0.0.1:8790/v1"), kind: "offline-demo" as const },
    database: { kind: "sqlite" as const, path: "data/records.sqlite" },
    agents: [testAgent],
    tokenSecretSet: false,
    adminTokenSet: true,
    widgetBuilt: true,
  };

  it("says in one line what a development relay runs on and what production still needs", () => {
    const line = startSummary(base);
    expect(line).not.toContain("\n");
    expect(line).toBe(
      `development · upstream OFFLINE DEMO at http://127.0.0.1:8790/v1 · records SQLite data/records.sqlite (one instance) · agents demo (${testAgent.allowedOrigins.join(", ")}) · missing for production: RELAY_TOKEN_SECRET, a provider key (OPENAI_API_KEY)`,
    );
  });

  it("names each provider base URL once, never its credentials, and says when nothing is missing", () => {
    const upstreams = testUpstreams("https://user:pass@api.example.com/v1?key=secret");
    const line = startSummary({
      ...base,
      production: true,
      upstreams,
      database: { kind: "postgres", url: "postgres://u:p@db/x" },
      tokenSecretSet: true,
    });
    expect(line).toMatch(
      /^production · upstream https:\/\/api\.example\.com\/v1 · records PostgreSQL \(shared by instances\) · agents demo .* · nothing missing for production$/,
    );
    expect(line).not.toMatch(/pass|secret|u:p/);
  });

  it("names each agent's knowledge (files, passages, load time) when some agent has it", () => {
    const index = new KnowledgeIndex(["faq.md", "notes.txt"], chunkText("# A\n\nalpha\n\n# B\n\nbeta\n", "faq.md"));
    const line = startSummary({ ...base, knowledge: new Map([["demo", { index, ms: 12 }]]) });
    expect(line).toMatch(/ · agents demo \([^)]*\) · knowledge demo 2 files, 2 passages, 12 ms · missing for production: /);
    expect(startSummary({ ...base, knowledge: new Map() })).toBe(startSummary(base));
  });
});
