import { z } from "zod";

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, "expected 1-40 letters, digits or '_', starting with a letter");

/**
 * An agent's post-session analysis (the `analysis` key of the agents file): after each session that ended
 * with at least one visitor turn, the relay asks `model` (on the LLM stage's upstream) for a structured
 * result — summary, sentiment, outcome, an answer to each question (with the visitor's quote and a
 * confidence) and a score per rubric criterion — whose JSON Schema is built from this configuration
 * ({@link analysisJsonSchema}).
 */
export const AnalysisConfigSchema = z.strictObject({
  model: z.string().min(1),
  /** Extra guidance for the analyst model, e.g. what counts as resolved for this business. */
  instructions: z.string().max(4000).default(""),
  /** The outcomes the model picks one of. */
  outcomes: z.array(id).min(1).max(20).default(["resolved", "unresolved", "escalated"]),
  /** Questions answered from the transcript, each keyed by its `id` in the result's `answers`. */
  questions: z
    .array(z.strictObject({ id, question: z.string().min(1).max(500) }))
    .max(20)
    .default([]),
  /** Criteria scored from `min` to `max` (integers), keyed by `id` in the result's `scores`. */
  rubric: z
    .array(
      z
        .strictObject({ id, criterion: z.string().min(1).max(500), min: z.int().min(0).default(1), max: z.int().max(100).default(5) })
        .refine((c) => c.min < c.max, { message: "min must be below max", path: ["max"] }),
    )
    .max(20)
    .default([]),
});

/** An agent's analysis configuration (resolved: defaults applied). */
export type AnalysisConfig = z.output<typeof AnalysisConfigSchema>;

const unique = (ids: string[]) => new Set(ids).size === ids.length;

/** Problems of a configuration that the schema alone cannot see (duplicate ids). */
export function analysisConfigProblems(config: AnalysisConfig): string[] {
  const problems: string[] = [];
  if (!unique(config.questions.map((q) => q.id))) problems.push("questions: ids must be unique");
  if (!unique(config.rubric.map((c) => c.id))) problems.push("rubric: ids must be unique");
  if (!unique(config.outcomes)) problems.push("outcomes: must be unique");
  return problems;
}
