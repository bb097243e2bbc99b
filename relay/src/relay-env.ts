import type { ServerResponse } from "node:http";
import type { AgentConfig } from "./agent-config.ts";
import type { RelayTokenClaims } from "./relay-token.ts";

/** Hono environment of the relay app: what middleware puts on the context for routes. */
export interface RelayEnv {
  /** On Node (`@hono/node-server`), the raw request and response; absent under `app.request()`. */
  Bindings: { outgoing?: ServerResponse };
  Variables: {
    /** Set by the request-id middleware for every request. */
    requestId: string;
    /** Verified token claims; set by `requireSession` on the proxy routes. */
    session: RelayTokenClaims;
    /**
     * The token's agent as its session sees it: `systemPrompt` has the session's page context inserted
     * (`sessionAgent`). Set by `requireSession` on the proxy routes.
     */
    agent: AgentConfig;
    /** The request's turn (its `x-turn-id`); set by `turnId` on the stage routes, undefined without the header. */
    turnId: string | undefined;
  };
}
