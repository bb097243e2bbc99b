import { posix, win32 } from "node:path";
import { z } from "zod";

/** File types a knowledge file may have: Markdown (chunked by headings) or plain text. */
export const KNOWLEDGE_EXTENSIONS = [".md", ".txt"] as const;

/**
 * Why `path` cannot be a knowledge file's path, or undefined when it can: it must be relative to the
 * agents file's folder, stay inside it (no `..` leading out, no absolute or drive path) and end in `.md`
 * or `.txt`. Where a symbolic link leads is checked when the file is read (`loadKnowledge`).
 */
export function knowledgePathProblem(path: string): string | undefined {
  if (posix.isAbsolute(path) || win32.isAbsolute(path)) return "must be relative to the agents file's folder";
  const normal = posix.normalize(path.replaceAll("\\", "/"));
  if (normal === ".." || normal.startsWith("../")) return "leads out of the agents file's folder";
  if (!KNOWLEDGE_EXTENSIONS.some((ext) => normal.toLowerCase().endsWith(ext))) return "is not a .md or .txt file";
  return undefined;
}

const knowledgePath = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const problem = knowledgePathProblem(path);
    if (problem) ctx.addIssue({ code: "custom", message: `${JSON.stringify(path)} ${problem}` });
  });

/**
 * An agent's knowledge: files the relay indexes at start, and how much of them each visitor turn may add
 * to the model's context. Tokens are estimated as characters ÷ 4 (`estimateTokens`).
 */
export const KnowledgeConfigSchema = z.strictObject({
  /** Markdown or plain-text files, relative to the agents file's folder (e.g. `knowledge/faq.md`). */
  files: z.array(knowledgePath).min(1).max(1000),
  /** Budget of the passages added to one turn, in estimated tokens (the frame around them is extra). Default 600. */
  maxTokens: z.int().min(50).max(8000).default(600),
  /** Most passages added to one turn. Default 4. */
  maxPassages: z.int().min(1).max(20).default(4),
});

/** An agent's resolved knowledge configuration (defaults applied). */
export type KnowledgeConfig = z.output<typeof KnowledgeConfigSchema>;
