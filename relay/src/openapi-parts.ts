/** Pieces of the relay's OpenAPI document shared by its parts (`openapi-document.ts`, `records/records-openapi.ts`). */
import { z } from "zod";

export const json = (schema: object) => ({ "application/json": { schema } });
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const error = (description: string) => ({ description, content: json(ref("ErrorBody")) });
export const bearer = [{ relayToken: [] }];
/** Errors every route behind the relay token can answer. */
export const sessionErrors = {
  "401": error("`unauthorized`, `token_expired`, `session_expired`, `session_idle` or `session_revoked`"),
  "403": error("`origin_not_allowed`: the Origin is not the token's"),
  "404": error("`agent_not_found`: the token's agent was disabled"),
  "413": error("`payload_too_large`: over the agent's `limits.maxBodyBytes`"),
  "429": error("`rate_limited`: over the agent's `limits.requestsPerMinute` (see `Retry-After`)"),
  "503": error("`shutting_down`: the relay is shutting down (see `Retry-After`)"),
};

/** A Hono path (`/admin/sessions/:id`) as OpenAPI writes it (`/admin/sessions/{id}`). */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

/** JSON Schema of a wire body, for the OpenAPI document; its named parts (`.meta({ id })`) go to `components`. */
export type WireSchema = (schema: z.ZodType, io: "input" | "output") => object;

/**
 * Converts the wire schemas (`wire-schemas.ts`) to JSON Schema 2020-12, which OpenAPI 3.1 uses, so the
 * document shows exactly what the relay validates. A field the relay refuses (`z.undefined()`) becomes
 * `{ not: {} }`. Sub-schemas with an id are collected in `components` and referenced from there.
 */
export function wireSchemas(): { schema: WireSchema; components: Record<string, object> } {
  const components: Record<string, object> = {};
  const toComponents = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as object;
  const schema: WireSchema = (zod, io) => {
    const {
      $schema: _,
      $defs,
      ...jsonSchema
    } = z.toJSONSchema(zod, {
      io,
      override: (ctx) => {
        if (ctx.zodSchema._zod.def.type !== "undefined") return;
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        ctx.jsonSchema.not = {};
      },
      unrepresentable: "any",
    });
    for (const [id, def] of Object.entries($defs ?? {})) components[id] = toComponents(def);
    return toComponents(jsonSchema);
  };
  return { schema, components };
}
