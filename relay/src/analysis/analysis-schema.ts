import type { AnalysisConfig } from "./analysis-config.ts";

/** Name of the JSON Schema in the analysis request (`response_format.json_schema.name`). */
export const ANALYSIS_SCHEMA_NAME = "session_analysis";

/** Sentiments the model picks one of. */
export const SENTIMENTS = ["positive", "neutral", "negative", "mixed"] as const;

type Schema = Record<string, unknown>;

/** An object schema in the strict form structured outputs need: every property required, no others. */
function object(properties: Record<string, Schema>, description?: string): Schema {
  return {
    type: "object",
    ...(description ? { description } : {}),
    properties,
    required: Object.keys(properties),
    additionalProperties: false,
  };
}

/**
 * The JSON Schema of an agent's analysis result, e.g. for one question and one criterion:
 * `{ summary, sentiment, outcome, answers: { refund: { answer, quote, confidence } }, scores: { politeness: { score, reason } } }`.
 * `answer` and `quote` are null when the transcript does not answer the question.
 */
export function analysisJsonSchema(config: AnalysisConfig): Schema {
  const answers = Object.fromEntries(
    config.questions.map((q) => [
      q.id,
      object(
        {
          answer: { type: ["string", "null"], description: "The answer, or null when the transcript does not say." },
          quote: { type: ["string", "null"], description: "The visitor's or agent's words the answer comes from, verbatim." },
          confidence: { type: "number", minimum: 0, maximum: 1 },
        },
        q.question,
      ),
    ]),
  );
  const scores = Object.fromEntries(
    config.rubric.map((c) => [
      c.id,
      object({ score: { type: "integer", minimum: c.min, maximum: c.max }, reason: { type: "string" } }, c.criterion),
    ]),
  );
  return object({
    summary: { type: "string", description: "Two or three sentences: what the visitor wanted and what happened." },
    sentiment: { type: "string", enum: [...SENTIMENTS] },
    outcome: { type: "string", enum: config.outcomes },
    answers: object(answers),
    scores: object(scores),
  });
}
