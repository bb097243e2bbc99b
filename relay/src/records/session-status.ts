/** Status of a recorded session. `pending` until the first turn, then `active`, then one terminal status. */
export type SessionStatus = "pending" | "active" | "completed" | "failed" | "timeout" | "cancelled";

/** Every status, in lifecycle order. */
export const SESSION_STATUSES = [
  "pending",
  "active",
  "completed",
  "failed",
  "timeout",
  "cancelled",
] as const satisfies readonly SessionStatus[];

/**
 * The valid transitions: `pending → active | failed | timeout | cancelled`,
 * `active → completed | failed | timeout | cancelled`. Terminal statuses never change.
 */
export const SESSION_TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  pending: ["active", "failed", "timeout", "cancelled"],
  active: ["completed", "failed", "timeout", "cancelled"],
  completed: [],
  failed: [],
  timeout: [],
  cancelled: [],
};

/** True when a session may go from `from` to `to`. */
export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` may be reached; stores use it to guard status updates in SQL. */
export function predecessorsOf(to: SessionStatus): SessionStatus[] {
  return SESSION_STATUSES.filter((from) => canTransition(from, to));
}

/** True for the statuses a session never leaves. */
export function isTerminal(status: SessionStatus): boolean {
  return SESSION_TRANSITIONS[status].length === 0;
}
