import { isRecord } from "./json-body.ts";
import type { RecordedMessage } from "./recorded-request.ts";

/** The first `Visitor: ` line of the last user message, without the prefix ("" when there is none). */
function visitorLine(messages: readonly RecordedMessage[]): string {
  const last = messages.findLast((m) => m.role === "user");
  const text = typeof last?.content === "string" ? last.content : "";
  return /^Visitor: (.*)$/m.exec(text)?.[1]?.trim() ?? "";
}

/**
 * A deterministic instance of a JSON Schema, as a model answering with structured outputs would give
 * (the subset such schemas use: object, array, string, number, integer, boolean, null, `enum`, type lists):
 * - an object has every property; an array `minItems` copies of its item (none by default);
 * - an `enum` its first value; a number the middle of its `minimum`/`maximum` (else 0.5), an integer the
 *   floor of it; a boolean `true`; a type list its first non-null type;
 * - a string property named `quote` the first `Visitor: ` line of the last user message (a transcript),
 *   any other string `<name>: the visitor said "<that line>"`.
 */
export function schemaInstance(schema: unknown, messages: readonly RecordedMessage[], name = "value"): unknown {
  if (!isRecord(schema)) return null;
  if (Array.isArray(schema["enum"])) return schema["enum"][0] ?? null;
  const types = Array.isArray(schema["type"]) ? schema["type"] : [schema["type"]];
  const type = types.find((t) => t !== "null") ?? types[0];
  switch (type) {
    case "object": {
      const properties = isRecord(schema["properties"]) ? schema["properties"] : {};
      return Object.fromEntries(Object.entries(properties).map(([key, sub]) => [key, schemaInstance(sub, messages, key)]));
    }
    case "array": {
      const count = typeof schema["minItems"] === "number" ? schema["minItems"] : 0;
      return Array.from({ length: count }, () => schemaInstance(schema["items"], messages, name));
    }
    case "string":
      return name === "quote" ? visitorLine(messages) : `${name}: the visitor said "${visitorLine(messages)}"`;
    case "number":
    case "integer": {
      const min = typeof schema["minimum"] === "number" ? schema["minimum"] : undefined;
      const max = typeof schema["maximum"] === "number" ? schema["maximum"] : undefined;
      const middle = min !== undefined && max !== undefined ? (min + max) / 2 : (min ?? max ?? 0.5);
      return type === "integer" ? Math.floor(middle) : middle;
    }
    case "boolean":
      return true;
    default:
      return null;
  }
}
