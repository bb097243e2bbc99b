import { toHttpError } from "../error-handler.ts";
import type { Stage } from "../upstreams.ts";

/** The turn id as an event payload member, when there is one. */
export function turnPayload(turnId: string | undefined): { turnId?: string } {
  return turnId ? { turnId } : {};
}

/**
 * The event of a stage request that ended with `error` instead of an answer: `client-gone` when the
 * client left first (a barge-in aborting a reply), else `error` with the status and code it was answered with.
 */
export function failureEvent(
  stage: Stage,
  error: unknown,
  clientGone: boolean,
  turnId: string | undefined,
): [string, Record<string, unknown>] {
  if (clientGone) return ["client-gone", { stage, ...turnPayload(turnId) }];
  const { status, code } = toHttpError(error);
  return ["error", { stage, status, code, ...turnPayload(turnId) }];
}
