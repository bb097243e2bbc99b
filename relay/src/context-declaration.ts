/**
 * The page context an agent accepts (its `context` in the agents file): the variables a host page may
 * pass through the widget's `.config.context`, and the `{{name}}` placeholders of the agent's
 * `systemPrompt` where they appear. The page sends values only; the prompt around them is the site owner's.
 */
import { z } from "zod";

/** Longest `maxLength` of a string variable (characters). */
export const MAX_CONTEXT_STRING = 2000;

/** Most variables one agent declares. */
export const MAX_CONTEXT_VARIABLES = 32;

/** A variable's name, as the page's `.config.context` and the prompt's `{{name}}` write it. */
export const CONTEXT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** `{{name}}` (spaces inside the braces allowed); the name is checked against the declaration at load. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const required = z.boolean().default(false);

/** One declared variable; `default` is what the prompt gets when the page gives none (else `""`). */
export const ContextVariableSchema = z
  .discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("string"),
      /** Most characters (code points) the page may send; required, so that every value is bounded. */
      maxLength: z.int().min(1).max(MAX_CONTEXT_STRING),
      required,
      default: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal("enum"),
      values: z.array(z.string().min(1).max(200)).min(1).max(100),
      required,
      default: z.string().optional(),
    }),
    z.strictObject({ type: z.literal("integer"), min: z.int().optional(), max: z.int().optional(), required, default: z.int().optional() }),
    z.strictObject({ type: z.literal("boolean"), required, default: z.boolean().optional() }),
  ])
  .superRefine((variable, ctx) => {
    if (variable.type === "integer" && variable.min !== undefined && variable.max !== undefined && variable.min > variable.max) {
      ctx.addIssue({ code: "custom", path: ["max"], message: `max (${variable.max}) is below min (${variable.min})` });
    }
    if (variable.default === undefined) return;
    if (variable.required) ctx.addIssue({ code: "custom", path: ["default"], message: "a required variable has no default" });
    const problem = valueProblem(variable, variable.default);
    if (problem) ctx.addIssue({ code: "custom", path: ["default"], message: `the default is not a valid value: ${problem}` });
  });

/** One declared context variable. */
export type ContextVariable = z.output<typeof ContextVariableSchema>;

/** The agent's `context`: variables by name. Default none, so a page's context is refused. */
export const ContextDeclarationSchema = z
  .record(
    z.string().regex(CONTEXT_NAME, "expected a name of 1-64 letters, digits or '_', not starting with a digit"),
    ContextVariableSchema,
  )
  .refine((declared) => Object.keys(declared).length <= MAX_CONTEXT_VARIABLES, `at most ${MAX_CONTEXT_VARIABLES} variables`)
  .default({});

/** The agent's `context`. */
export type ContextDeclaration = z.output<typeof ContextDeclarationSchema>;

/** A value a page may give: what `.config.context` holds. */
export type ContextValue = string | number | boolean;

/** Validated page context, by variable name. */
export type PageContext = Record<string, ContextValue>;

/** The names of the `{{name}}` placeholders of `prompt`, in order, with repeats. */
export function placeholderNames(prompt: string): string[] {
  return [...prompt.matchAll(PLACEHOLDER)].map((match) => match[1]!);
}

/**
 * `prompt` with each `{{name}}` replaced by the variable's value as a JSON literal: a string becomes a
 * quoted JSON string (newlines, quotes and backslashes escaped), so whatever a page writes stays one
 * value inside its quotes and never reads as more of the prompt. A variable the page did not give gets its
 * `default`, else `""`. One pass: an inserted value is never scanned for placeholders.
 */
export function insertContext(prompt: string, declared: ContextDeclaration, context: Readonly<PageContext>): string {
  return prompt.replace(PLACEHOLDER, (_, name: string) =>
    JSON.stringify(Object.hasOwn(context, name) ? context[name] : (declared[name]?.default ?? "")),
  );
}

/** Why `value` is not a value of `variable` (a rule, never the value itself), or undefined when it is. */
export function valueProblem(variable: ContextVariable, value: unknown): string | undefined {
  switch (variable.type) {
    case "string": {
      if (typeof value !== "string") return `expected a string (got ${kindOf(value)})`;
      const length = [...value].length;
      return length > variable.maxLength ? `expected at most ${variable.maxLength} characters (got ${length})` : undefined;
    }
    case "enum":
      return typeof value === "string" && variable.values.includes(value)
        ? undefined
        : `expected one of ${variable.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "integer": {
      if (typeof value !== "number") return `expected a whole number (got ${kindOf(value)})`;
      if (!Number.isSafeInteger(value)) return `expected a whole number (got ${Number.isInteger(value) ? "one too large" : "a fraction"})`;
      const { min, max } = variable;
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
        return `expected a whole number ${min === undefined ? `up to ${max}` : max === undefined ? `from ${min}` : `from ${min} to ${max}`}`;
      }
      return undefined;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : `expected true or false (got ${kindOf(value)})`;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
