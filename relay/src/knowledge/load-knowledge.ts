import { readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import type { AgentConfig } from "../agent-config.ts";
import { chunkText, type Passage } from "./chunk-text.ts";
import { knowledgePathProblem } from "./knowledge-config.ts";
import { KnowledgeIndex } from "./knowledge-index.ts";

/** Largest knowledge file read, bytes (about 2,500 pages of text): a bigger one is most likely a mistake. */
export const MAX_KNOWLEDGE_FILE_BYTES = 10 * 1024 * 1024;

/** An agent's knowledge as loaded at start. */
export interface LoadedKnowledge {
  index: KnowledgeIndex;
  /** Reading, chunking and indexing its files, ms. */
  ms: number;
}

/**
 * Reads, chunks and indexes the knowledge files of every agent that lists some (disabled agents too, so
 * a broken file is found before the agent is enabled). Paths are relative to the agents file's folder
 * and must stay inside it, written (`knowledgePathProblem`) and real (symbolic links followed).
 *
 * @param agentsFile - the agents file the agents came from
 * @returns the loaded knowledge by agent id (agents without `knowledge` are not in it)
 * @throws Error naming the agents file, the entry and the problem in one line (`agents.json:
 *   agents[0].knowledge.files[1]: knowledge/faq.md cannot be read (ENOENT)`)
 */
export function loadKnowledge(agents: readonly AgentConfig[], agentsFile: string): Map<string, LoadedKnowledge> {
  const folder = realpathSync(dirname(resolve(agentsFile)));
  const loaded = new Map<string, LoadedKnowledge>();
  agents.forEach((agent, i) => {
    if (!agent.knowledge) return;
    const t0 = performance.now();
    const passages: Passage[] = agent.knowledge.files.flatMap((file, j) => {
      const fail = (problem: string): never => {
        throw new Error(`${basename(agentsFile)}: agents[${i}].knowledge.files[${j}]: ${file} ${problem}`);
      };
      return chunkText(readKnowledgeFile(folder, file, fail), file);
    });
    loaded.set(agent.id, { index: new KnowledgeIndex(agent.knowledge.files, passages), ms: Math.round(performance.now() - t0) });
  });
  return loaded;
}

function readKnowledgeFile(folder: string, file: string, fail: (problem: string) => never): string {
  const problem = knowledgePathProblem(file);
  if (problem) fail(problem);
  const real = attempt(() => realpathSync(resolve(folder, file)), fail);
  const inside = relative(folder, real);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) fail("leads out of the agents file's folder");
  const stat = attempt(() => statSync(real), fail);
  if (!stat.isFile()) fail("is not a file");
  if (stat.size > MAX_KNOWLEDGE_FILE_BYTES) fail(`is over ${MAX_KNOWLEDGE_FILE_BYTES / 1024 / 1024} MiB`);
  return attempt(() => readFileSync(real, "utf8"), fail);
}

/** A file system call whose failure is the entry's problem, named by its error code. */
function attempt<T>(io: () => T, fail: (problem: string) => never): T {
  try {
    return io();
  } catch (error) {
    return fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
