import { createHmac } from "node:crypto";

/** Bytes of a signing secret (the base64 after `whsec_`): Standard Webhooks asks for 24 to 64. */
export const WEBHOOK_SECRET_BYTES = { min: 24, max: 64 } as const;

/**
 * The key bytes of a Standard Webhooks secret `whsec_<base64>`; undefined when `secret` is not one (or its
 * key is outside {@link WEBHOOK_SECRET_BYTES}).
 */
export function decodeWebhookSecret(secret: string): Buffer | undefined {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret.trim());
  if (!match?.[1]) return undefined;
  const key = Buffer.from(match[1], "base64");
  return key.length >= WEBHOOK_SECRET_BYTES.min && key.length <= WEBHOOK_SECRET_BYTES.max ? key : undefined;
}

/**
 * The `webhook-signature` header of one attempt (Standard Webhooks): `v1,` + base64 of the HMAC-SHA256,
 * keyed with the secret's bytes, of `${id}.${timestamp}.${body}`.
 *
 * @param timestamp - the attempt's `webhook-timestamp`, epoch seconds
 */
export function signWebhook(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}
