import type { Context } from "hono";
import type { z } from "zod";
import { HttpError } from "./http-error.ts";

/**
 * Parses the request body as JSON and validates it with `schema`.
 *
 * @throws HttpError 415 `unsupported_media_type` when not `application/json`, 400 `bad_request` when the
 *   JSON is malformed or invalid (the message names the first offending field)
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, "unsupported_media_type", "Expected content-type: application/json.");
  }
  let json: unknown;
  try {
    json = await c.req.json();
  } catch {
    throw new HttpError(400, "bad_request", "The request body is not valid JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new HttpError(400, "bad_request", `Invalid request body: ${where}${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
