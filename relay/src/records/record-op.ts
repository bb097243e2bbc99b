import type { TurnLatency } from "../protocol.ts";
import type { AnalysisUsage, ClientInfo, EventRecord, MessageRecord, SessionRecord } from "./session-record.ts";
import type { SessionStatus } from "./session-status.ts";
import type { NewWebhookDelivery } from "./webhook-outbox.ts";

/**
 * One write to the records, as the batching writer queues it. Every op is idempotent (applying a batch
 * twice after a failed commit changes nothing) and ops about a session that no longer exists (deleted,
 * forgotten, purged) are dropped silently.
 */
export type RecordOp =
  | { op: "create-session"; session: SessionRecord; visitorHash: string | null }
  | {
      op: "set-status";
      sessionId: string;
      status: SessionStatus;
      /** Epoch ms of the change. */
      at: number;
      /** Only change from these statuses (intersected with the valid predecessors); default all valid ones. */
      from?: readonly SessionStatus[];
      reason?: string;
      // A change to a terminal status also marks the session for `session.ended` (WebhookOutbox.announceEndings).
    }
  | { op: "set-client"; sessionId: string; client: ClientInfo }
  | {
      /** The widget was active at `at` (epoch ms): an open session's lapse moves to `lapseAt` unless later already. */
      op: "touch";
      sessionId: string;
      at: number;
      lapseAt: number;
    }
  | {
      /**
       * Skipped when the message's id is recorded already, or when it is a `user` message and the session
       * has a user message of the same turn (`utteranceId`): a spoken turn's transcript is recorded first,
       * so its chat request's copy of the text is not recorded again, nor is a retried request's.
       */
      op: "add-message";
      message: MessageRecord;
    }
  | {
      op: "patch-message";
      sessionId: string;
      messageId: string;
      interrupted?: boolean;
      heardText?: string;
      /** Merged into the stored latency. */
      latency?: TurnLatency;
    }
  | { op: "add-event"; event: EventRecord }
  | {
      /** The outcome of a claimed analysis attempt; applied only while the analysis is `pending`. */
      op: "set-analysis";
      sessionId: string;
      outcome: AnalysisOutcome;
    }
  | {
      /**
       * Puts a webhook delivery in the outbox (skipped when its id is there already); the delivery worker
       * sends it. Build it with `webhookOps`, in the same batch as the records it announces.
       */
      op: "enqueue-webhook";
      delivery: NewWebhookDelivery;
    };

/** What an analysis attempt ended with: a result, a skip, a retry at `nextAt`, or a final failure. */
export type AnalysisOutcome =
  | { status: "done"; at: number; result: Record<string, unknown>; model: string; usage: AnalysisUsage }
  | { status: "skipped"; at: number; reason: string }
  | { status: "pending"; error: string; nextAt: number }
  | { status: "failed"; at: number; error: string };

/** Order in which a batch applies op kinds; a stable sort keeps the order within a kind. */
const PHASE: Record<RecordOp["op"], number> = {
  "create-session": 0,
  "set-client": 1,
  touch: 1,
  "add-message": 2,
  "patch-message": 3,
  "add-event": 4,
  "set-status": 5,
  "set-analysis": 6,
  "enqueue-webhook": 7,
};

/**
 * Groups a batch by kind so stores can write each kind in one statement. Safe because ops of different
 * kinds only depend on earlier phases (a message needs its session, a patch its message).
 */
export function phaseOrder(ops: readonly RecordOp[]): RecordOp[] {
  return ops
    .map((op, i) => ({ op, i }))
    .sort((a, b) => PHASE[a.op.op] - PHASE[b.op.op] || a.i - b.i)
    .map((x) => x.op);
}
