import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { HttpError } from "./http-error.ts";
import type { Stage } from "./upstreams.ts";

/**
 * Maps a failure of an upstream call through the OpenAI SDK to the relay's {@link HttpError}: 503
 * `shutting_down` when `closing` (the relay's shutdown, if the call listened to it) is what ended it,
 * 504 `upstream_timeout` on timeout, else 502 `upstream_error`, also for an answer the SDK could not read
 * (e.g. malformed JSON). The message names the stage and the upstream status, never the upstream body
 * (it may echo provider details). An {@link HttpError} is returned as it is.
 */
export function upstreamError(stage: Stage, err: unknown, closing?: AbortSignal): HttpError {
  if (err instanceof HttpError) return err;
  if (closing?.aborted) {
    return new HttpError(503, "shutting_down", "The relay is shutting down: retry.", { retryAfterSeconds: 1, cause: err });
  }
  if (err instanceof APIConnectionTimeoutError) {
    return new HttpError(504, "upstream_timeout", `The ${stage} upstream did not answer in time.`, { cause: err });
  }
  if (err instanceof APIUserAbortError) {
    return new HttpError(502, "upstream_error", `The ${stage} request was aborted by the client.`, { cause: err });
  }
  if (err instanceof APIConnectionError) {
    return new HttpError(502, "upstream_error", `The ${stage} upstream could not be reached.`, { cause: err });
  }
  if (err instanceof APIError) {
    const status = err.status === undefined ? "an error" : `HTTP ${err.status}`;
    return new HttpError(502, "upstream_error", `The ${stage} upstream answered ${status}.`, { cause: err });
  }
  return new HttpError(502, "upstream_error", `The ${stage} upstream's answer could not be read.`, { cause: err });
}
