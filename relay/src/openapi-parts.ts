/** Pieces of the relay's OpenAPI document shared by its parts (`openapi-document.ts`, `records/records-openapi.ts`). */

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
