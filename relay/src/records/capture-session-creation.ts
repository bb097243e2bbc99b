import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import { HttpError } from "../http-error.ts";
import type { CreateSessionResponse } from "../protocol.ts";
import type { RelayEnv } from "../relay-env.ts";
import type { SessionRecorder } from "./session-recorder.ts";

const RecordFields = z.object({
  visitorId: z.string().regex(/^[A-Za-z0-9_-]{22,128}$/, "expected 22-128 base64url characters or a UUID").optional(),
  conversationId: z.string().min(1).max(128).optional(),
});

/**
 * Around `POST /v1/sessions`: validates the record fields of the request (`visitorId`, `conversationId`),
 * and once the route answered 201, commits the `pending` session before the token reaches the browser.
 */
export function captureSessionCreation(recorder: SessionRecorder): MiddlewareHandler<RelayEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    let fields: z.output<typeof RecordFields> = {};
    if (/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
      const json: unknown = await c.req.json().catch(() => undefined);
      const parsed = RecordFields.safeParse(json ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(400, "bad_request", `Invalid request body: ${issue?.path.join(".")}: ${issue?.message}`);
      }
      fields = parsed.data;
    }
    await next();
    if (c.res.status !== 201) return;
    const body = (await c.res.clone().json()) as CreateSessionResponse;
    await recorder.sessionCreated({
      id: body.sessionId,
      agent: body.agent.id,
      origin: c.req.header("origin") ?? "",
      mode: "cascade",
      expiresAt: body.expiresAt,
      ...fields,
    });
  };
}
