import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

/**
 * One validator for every agent's tool schemas. `strict: false`: OpenAI's function schemas may carry
 * keywords Ajv does not know (e.g. `strict`-mode hints), which must not stop the relay; `allErrors` so the
 * model hears every problem of its call at once.
 */
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Why `schema` cannot validate arguments (Ajv's compile error), or undefined when it can. */
export function schemaProblem(schema: Record<string, unknown>): string | undefined {
  try {
    validatorOf(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Arguments of a call, parsed and checked against the tool's JSON Schema. */
export type CheckedArguments = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * Parses the model's `arguments` text and validates it against `schema` (compiled once per schema
 * object). A problem is worded for the model, which gets it as the call's result.
 */
export function checkArguments(schema: Record<string, unknown>, text: string): CheckedArguments {
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return { ok: false, problem: "the arguments are not valid JSON" };
  }
  const validate = validatorOf(schema);
  if (validate(value)) return { ok: true, value };
  return { ok: false, problem: (validate.errors ?? []).slice(0, 5).map(describe).join("; ") || "the arguments do not match the schema" };
}

function describe(error: ErrorObject): string {
  return `${error.instancePath || "arguments"} ${error.message ?? "is invalid"}`;
}
