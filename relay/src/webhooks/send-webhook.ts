import { AddressRefusedError, resolvePinnedAddress, sendPinned } from "../outbound/pinned-request.ts";
import type { ClaimedWebhook, WebhookAttempt } from "../records/webhook-outbox.ts";
import { signWebhook } from "./webhook-signature.ts";

/** What one attempt needs besides the delivery. */
export interface WebhookSendContext {
  /** The agent's signing key. */
  key: Buffer;
  /** The agent's `toolHosts`: only these may resolve to loopback, private or link-local addresses. */
  toolHosts: readonly string[];
  /** Longest attempt (ms): resolution, connection and the response head. */
  timeoutMs: number;
  /** Epoch ms clock; the signature's timestamp is taken from it. */
  now: () => number;
}

/**
 * Makes one attempt: POSTs the delivery's payload with the Standard Webhooks headers (`webhook-id`, the
 * attempt's `webhook-timestamp` and `webhook-signature`), connecting only to the address checked against
 * the address policy when the attempt starts (see `resolvePinnedAddress`). A 2xx delivers; a redirect is
 * never followed (a failed attempt, `redirect`); the response body is never read. Never throws.
 */
export async function sendWebhook(delivery: ClaimedWebhook, context: WebhookSendContext): Promise<WebhookAttempt> {
  const at = context.now();
  const started = performance.now();
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const attempt = (status: number | null, error: string | null): WebhookAttempt => ({
    at,
    status,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    const url = new URL(delivery.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") return attempt(null, "refused");
    const listed = context.toolHosts.some((host) => host.toLowerCase() === url.host);
    const address = await resolvePinnedAddress(url.hostname.replace(/^\[(.*)\]$/, "$1"), listed, timeout);
    const timestamp = Math.floor(at / 1000);
    const headers = {
      "webhook-id": delivery.id,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signWebhook(context.key, delivery.id, timestamp, delivery.payload),
    };
    const response = await sendPinned(url, address, { method: "POST", headers, body: delivery.payload, signal: timeout });
    // The status is all an attempt needs; the body (of any size) is not read.
    response.destroy();
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return attempt(status, null);
    return attempt(status, status >= 300 && status < 400 ? "redirect" : "http_error");
  } catch (error) {
    if (error instanceof AddressRefusedError) return attempt(null, "refused");
    if (timeout.aborted) return attempt(null, "timeout");
    return attempt(null, (error as NodeJS.ErrnoException).code ?? "failed");
  }
}
