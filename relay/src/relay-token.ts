import { sign, verify } from "hono/jwt";
import type { PageContext } from "./context-declaration.ts";
import { HttpError } from "./http-error.ts";

/** Claims of a relay token. The agent is always taken from here, never from the request. */
export interface RelayTokenClaims {
  /** Session id. */
  sid: string;
  /** Agent id. */
  agent: string;
  /** Origin that created the session; browser requests must come from it. */
  origin: string;
  /** Expiry, epoch seconds (JWT `exp`); never after {@link RelayTokenClaims.end}. */
  exp: number;
  /** End of the session (creation + the agent's max session seconds), epoch seconds. Refresh keeps it. */
  end: number;
  /**
   * The page context, validated when the session opened; absent when the page gave none. Kept in the
   * token (signed, so the page cannot change it afterwards) so that every relay instance has it without a
   * lookup, and a refresh carries it on. Bounded by the session request's size.
   */
  ctx?: PageContext;
}

const ALG = "HS256";

type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const keys = new Map<string, Promise<HmacKey>>();

/** The HMAC key of `secret`, imported once per process rather than on every sign and verify. */
function keyOf(secret: string): Promise<HmacKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

/** Signs relay token claims with HS256. */
export function signRelayToken(claims: RelayTokenClaims, secret: string): Promise<string> {
  const { sid, agent, origin, exp, end, ctx } = claims;
  const payload = ctx && Object.keys(ctx).length > 0 ? { sid, agent, origin, exp, end, ctx } : { sid, agent, origin, exp, end };
  return keyOf(secret).then((key) => sign(payload, key, ALG));
}

/** Tokens whose signature has been verified, per secret, so a session's later requests skip the HMAC. */
const verified = new Map<string, Map<string, RelayTokenClaims>>();

/** How many verified tokens are remembered per secret; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000;

async function verifiedClaims(token: string, secret: string): Promise<RelayTokenClaims> {
  let cache = verified.get(secret);
  const hit = cache?.get(token);
  if (hit) return hit;
  let payload: Record<string, unknown>;
  try {
    // Expiry is checked by the caller against the injected clock rather than the system clock.
    payload = await verify(token, await keyOf(secret), { alg: ALG, exp: false, nbf: false, iat: false });
  } catch (cause) {
    throw new HttpError(401, "unauthorized", "The relay token is not valid.", { cause });
  }
  const { sid, agent, origin, exp, end, ctx } = payload;
  if (
    typeof sid !== "string" ||
    typeof agent !== "string" ||
    typeof origin !== "string" ||
    typeof exp !== "number" ||
    typeof end !== "number" ||
    !(ctx === undefined || isPageContext(ctx))
  ) {
    throw new HttpError(401, "unauthorized", "The relay token is not valid.");
  }
  const claims: RelayTokenClaims = ctx === undefined ? { sid, agent, origin, exp, end } : { sid, agent, origin, exp, end, ctx };
  if (!cache) verified.set(secret, (cache = new Map()));
  if (cache.size >= VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(token, claims);
  return claims;
}

/** A flat object of strings, numbers and booleans: the shape of a signed `ctx` claim. */
function isPageContext(value: unknown): value is PageContext {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean");
}

/**
 * Verifies a relay token's signature and expiry against `nowMs` (the app's injectable clock). A token
 * is compared byte for byte with tokens already verified with the same secret before its HMAC is
 * checked (a session sends the same token with every request until it refreshes it).
 *
 * @throws HttpError 401 `session_expired` past the session's end, `token_expired` past the token's expiry, 401 `unauthorized` when missing claims, forged or malformed
 */
export async function verifyRelayToken(token: string, secret: string, nowMs: number): Promise<RelayTokenClaims> {
  const claims = await verifiedClaims(token, secret);
  if (nowMs >= claims.end * 1000) {
    throw new HttpError(401, "session_expired", "The session has reached its maximum length: create a new session.");
  }
  if (nowMs >= claims.exp * 1000) {
    throw new HttpError(401, "token_expired", "The relay token has expired: create a new session.");
  }
  return { ...claims };
}
