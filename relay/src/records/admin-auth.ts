import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../http-error.ts";
import type { RelayEnv } from "../relay-env.ts";

/** An admin token and the agents whose records it may read and delete (`"*"`: every agent). */
export interface AdminToken {
  token: string;
  agents: "*" | readonly string[];
}

/** Hono environment of the admin routes. */
export interface AdminEnv {
  Variables: RelayEnv["Variables"] & {
    /** Agents the caller may see; undefined means every agent. */
    adminAgents: readonly string[] | undefined;
  };
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Guards `/admin/*`: requires `Authorization: Bearer <admin token>` matching one of `tokens` (compared in
 * constant time) and puts its agent scope on the context as `adminAgents`.
 */
export function requireAdmin(tokens: readonly AdminToken[]): MiddlewareHandler<AdminEnv> {
  const known = tokens.map((t) => ({ hash: digest(t.token), agents: t.agents === "*" ? undefined : t.agents }));
  return async (c, next) => {
    if (known.length === 0) throw new HttpError(401, "unauthorized", "The admin API is off: set ADMIN_TOKEN on the relay.");
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    const presented = match?.[1] ? digest(match[1]) : undefined;
    const hit = presented && known.find((k) => timingSafeEqual(k.hash, presented));
    if (!hit) throw new HttpError(401, "unauthorized", "Missing or unknown admin token: send Authorization: Bearer <ADMIN_TOKEN>.");
    c.set("adminAgents", hit.agents);
    c.header("cache-control", "no-store");
    await next();
  };
}

/** True when an admin scope includes `agent`. */
export function inScope(scope: readonly string[] | undefined, agent: string): boolean {
  return scope === undefined || scope.includes(agent);
}
