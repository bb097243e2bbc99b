import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { HttpError } from "./http-error.ts";
import type { Stage } from "./upstreams.ts";

/**
 * Maps a failure of the OpenAI SDK to the relay's {@link HttpError}: 504 `upstream_timeout` on timeout,
 * else 502 `upstream_error`. The message names the stage and the upstream status, never the upstream
 * body (it may echo provider details). Errors that are not SDK API errors are returned unchanged.
 */
export function upstreamError(stage: Stage, err: unknown): unknown {
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
  return err;
}
