import { StandinError } from "./standin-error.ts";

/** Parses a request body that must be a JSON object. @throws StandinError 400 `invalid_json`. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const body: unknown = await request.json().catch(() => undefined);
  if (!isRecord(body)) throw StandinError.badRequest("invalid_json", "Expected a JSON object body.", "body");
  return body;
}

/** Whether `value` is a plain (non-array, non-null) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
