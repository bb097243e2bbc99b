import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAgents, type AgentConfig } from "../agent-config.ts";
import { testAgent } from "../../test/fixtures.ts";
import { loadKnowledge } from "./load-knowledge.ts";

const fixtures = fileURLToPath(new URL("../../test/knowledge/", import.meta.url));
const withFiles = (files: string[], id = "demo"): AgentConfig => ({
  ...testAgent,
  id,
  knowledge: { files, maxTokens: 600, maxPassages: 4 },
});

/** The agents file as JSON with the first agent's `knowledge` set (or removed with `undefined`). */
function agentsJson(knowledge: unknown) {
  const { knowledge: _none, ...agent } = withFiles([]);
  return { agents: [knowledge === undefined ? agent : { ...agent, knowledge }] };
}

describe("knowledge in the agents file", () => {
  it("accepts files with defaults for the budget", () => {
    const [agent] = resolveAgents(agentsJson({ files: ["knowledge/faq.md", "notes.txt"] }), "agents.json");
    expect(agent!.knowledge).toEqual({ files: ["knowledge/faq.md", "notes.txt"], maxTokens: 600, maxPassages: 4 });
    expect(resolveAgents(agentsJson(undefined), "agents.json")[0]!.knowledge).toBeUndefined();
  });

  it.each([
    ["../secret.md", '"../secret.md" leads out of the agents file\'s folder'],
    ["docs/../../secret.md", '"docs/../../secret.md" leads out of the agents file\'s folder'],
    ["/etc/faq.md", '"/etc/faq.md" must be relative to the agents file\'s folder'],
    ["C:\\faq.md", '"C:\\\\faq.md" must be relative to the agents file\'s folder'],
    ["manual.pdf", '"manual.pdf" is not a .md or .txt file'],
  ])("refuses the path %j in one line naming the entry", (file, problem) => {
    expect(() => resolveAgents(agentsJson({ files: ["ok.md", file] }), "agents.json")).toThrow(
      new Error(`agents.json: agents[0].knowledge.files[1]: ${problem}`),
    );
  });

  it("refuses a misspelt key, no files and a budget out of bounds", () => {
    const problems = (knowledge: unknown) => {
      try {
        resolveAgents(agentsJson(knowledge), "agents.json");
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    };
    expect(problems({ files: ["a.md"], maxToken: 100 })).toContain('agents.json: agents[0].knowledge: Unrecognized key: "maxToken"');
    expect(problems({ files: [] })).toContain("agents.json: agents[0].knowledge.files:");
    expect(problems({ files: ["a.md"], maxTokens: 10 })).toContain("agents.json: agents[0].knowledge.maxTokens:");
    expect(problems({ files: ["a.md"], maxPassages: 0 })).toContain("agents.json: agents[0].knowledge.maxPassages:");
  });
});

describe("loadKnowledge", () => {
  let dir: string;
  let outside: string;

  beforeAll(() => {
    outside = mkdtempSync(join(tmpdir(), "knowledge-outside-"));
    writeFileSync(join(outside, "secret.md"), "# Secret\n\nThe admin password.\n");
    dir = mkdtempSync(join(tmpdir(), "knowledge-"));
    mkdirSync(join(dir, "kb"));
    writeFileSync(join(dir, "kb", "faq.md"), "# FAQ\n\nWe open at nine.\n");
    mkdirSync(join(dir, "folder.md"));
    symlinkSync(join(outside, "secret.md"), join(dir, "kb", "linked-out.md"));
    symlinkSync(join(dir, "kb", "faq.md"), join(dir, "linked-in.md"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("indexes each agent's files relative to the agents file's folder, and only agents that list some", () => {
    const loaded = loadKnowledge(
      [withFiles(["shop-faq.md", "care-guide.txt", "gift-cards.md"]), { ...testAgent, id: "plain" }],
      join(fixtures, "agents.json"),
    );
    expect([...loaded.keys()]).toEqual(["demo"]);
    const { index, ms } = loaded.get("demo")!;
    expect(index.files).toEqual(["shop-faq.md", "care-guide.txt", "gift-cards.md"]);
    expect(index.size).toBe(7);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(index.retrieve({ latest: "Do gift cards expire?" }, { maxTokens: 600, maxPassages: 1 })[0]!.passage.id).toBe(
      "gift-cards.md#gift-cards-1",
    );
  });

  it("follows a symbolic link that stays inside the folder", () => {
    const loaded = loadKnowledge([withFiles(["linked-in.md", "kb/faq.md"])], join(dir, "agents.json"));
    expect(loaded.get("demo")!.index.size).toBe(2);
  });

  it.each([
    [["kb/faq.md", "kb/missing.md"], "agents.json: agents[1].knowledge.files[1]: kb/missing.md cannot be read (ENOENT)"],
    [["kb/linked-out.md"], "agents.json: agents[1].knowledge.files[0]: kb/linked-out.md leads out of the agents file's folder"],
    [["folder.md"], "agents.json: agents[1].knowledge.files[0]: folder.md is not a file"],
    [["../<outside>/secret.md"], "agents.json: agents[1].knowledge.files[0]: ../<outside>/secret.md leads out of the agents file's folder"],
  ])("refuses %j at start with one line naming the entry", (files, message) => {
    // An existing file next to the folder: refused for its path, before it is looked at.
    const out = (text: string) => text.replace("<outside>", basename(outside));
    const agents = [{ ...testAgent, id: "first" }, withFiles(files.map(out))];
    expect(() => loadKnowledge(agents, join(dir, "agents.json"))).toThrow(new Error(out(message)));
  });
});
