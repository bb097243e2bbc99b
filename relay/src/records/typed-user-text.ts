import type { Context } from "hono";

/**
 * The text of a chat request's last message when the visitor wrote it (`role: "user"`, non-blank), else
 * undefined. Reads the body the route already parsed (`c.req.json()` is cached per request), so call it
 * only once the route has validated the request.
 */
export async function typedUserText(c: Context): Promise<string | undefined> {
  const body = (await c.req.json().catch(() => undefined)) as { messages?: unknown } | undefined;
  const last = Array.isArray(body?.messages) ? (body.messages.at(-1) as { role?: unknown; content?: unknown } | undefined) : undefined;
  return last?.role === "user" && typeof last.content === "string" && last.content.trim() !== "" ? last.content : undefined;
}
