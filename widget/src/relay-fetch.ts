/**
 * How the widget reads the relay's HTTP answers: network failures, error responses and 16-bit PCM
 * bodies. One copy for {@link RelayClient} on the main thread and the speech feed in the audio loop's
 * Worker, so that both turn the same answer into the same {@link WidgetError}.
 */
import type { ErrorBody } from "@voice-agent/relay/protocol";
import { relayErrorHandling } from "./relay-error-codes.ts";
import { WidgetError } from "./widget-error.ts";

/**
 * Sends `init` to `url` of the relay at `relayUrl` (named in the error). Resolves with any HTTP answer;
 * a network failure rejects with `relay-unreachable`, an abort with the signal's reason as is.
 */
export async function relayFetch(relayUrl: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (cause) {
    if (init.signal?.aborted) throw cause;
    throw new WidgetError("relay-unreachable", `The relay at ${relayUrl} cannot be reached.`, cause);
  }
}

/**
 * The error of a relay's refusal: its body's `error.code` mapped by {@link relayErrorHandling} (by HTTP
 * status when unknown or missing), its message, and `Retry-After` as `retryAfterMs`.
 */
export async function relayHttpError(response: Response): Promise<WidgetError> {
  const error = ((await response.json().catch(() => ({}))) as Partial<ErrorBody>).error;
  const { code } = relayErrorHandling(error?.code, response.status);
  const retryAfter = Number(response.headers.get("retry-after"));
  return new WidgetError(code, error?.message ?? `The relay answered HTTP ${response.status}.`, undefined, {
    retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : undefined,
    relayCode: error?.code,
  });
}

/**
 * What a response body that failed while being read means: an abort (`signal` aborted) or a
 * WidgetError stays as it is; anything else is the connection to the relay breaking mid-stream.
 */
export function brokenStream(relayUrl: string, error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted || error instanceof WidgetError) return error;
  return new WidgetError("relay-unreachable", `The connection to the relay at ${relayUrl} broke mid-stream.`, error);
}

/** A body of 16-bit PCM as whole samples: an odd byte at the end of a network chunk waits for the next. */
export async function* readPcm16(body: ReadableStream<Uint8Array>): AsyncGenerator<Int16Array> {
  const reader = body.getReader();
  let carry: number | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    let bytes = value;
    if (carry !== undefined) {
      bytes = new Uint8Array(value.length + 1);
      bytes[0] = carry;
      bytes.set(value, 1);
      carry = undefined;
    }
    if (bytes.length % 2) carry = bytes[bytes.length - 1];
    const whole = bytes.length - (bytes.length % 2);
    if (whole > 0) yield new Int16Array(bytes.slice(0, whole).buffer);
  }
}
