import { createHash } from "node:crypto";
import type { SessionReport } from "../protocol.ts";
import type { NewSession } from "../recorder.ts";
import { greetingMessageId } from "../protocol.ts";
import type { BatchingRecordWriter } from "./batching-record-writer.ts";
import type { RecordOp } from "./record-op.ts";
import type { EventSource, MessageRecord, SessionMode } from "./session-record.ts";
import { uuidv7 } from "./uuid-v7.ts";

/** One batch of the widget's reports, as {@link SessionRecorder.report} records it. */
export interface ReportBatch {
  reports: readonly SessionReport[];
  /** The widget's clock when it sent the batch (epoch ms). */
  sentAt?: number;
  /** The agent's greeting, recorded as the reply of a `greeting` report. */
  greeting: string;
}

/** A message captured by the relay; the recorder fills in the defaults. */
export type CapturedMessage = Pick<MessageRecord, "id" | "role" | "text" | "startAt" | "endAt"> & Partial<MessageRecord>;

/** How many sessions {@link SessionRecorder} remembers as activated; the oldest is forgotten first. */
const ACTIVATED_MEMORY = 10_000;
/**
 * Oldest a widget's report may be recorded as (ms before it arrived): the widget keeps reports while the
 * relay is unreachable, not for ever, and a wrong clock must not move a report to another day.
 */
export const MAX_REPORT_AGE_MS = 10 * 60_000;

/**
 * When a report happened on the relay's clock. The widget stamps each report (`clientAt`) and the batch
 * (`sentAt`) with its own clock, so `sentAt − clientAt` is how long the report waited, whatever the
 * widget's clock is off by; the batch's transit time is not known and counts as zero (a report is placed
 * at most one network trip late). Bounded to [`receivedAt` − {@link MAX_REPORT_AGE_MS}, `receivedAt`].
 * Without both stamps, the arrival time.
 */
export function reportTime(clientAt: number | undefined, sentAt: number | undefined, receivedAt: number): number {
  if (clientAt === undefined || sentAt === undefined) return receivedAt;
  return Math.min(receivedAt, Math.max(receivedAt - MAX_REPORT_AGE_MS, receivedAt - (sentAt - clientAt)));
}

/** SHA-256 (hex) of a visitor id: what the store keeps instead of the bearer secret. */
export function hashVisitorId(visitorId: string): string {
  return createHash("sha256").update(visitorId).digest("hex");
}

/**
 * Turns what the relay observes into record ops. Messages whose response the browser receives, and the
 * widget's reports, are written {@link BatchingRecordWriter.durable | durably} (the caller awaits them
 * before the response's last byte, or before answering); the relay's own events are queued.
 */
export class SessionRecorder {
  readonly #writer: BatchingRecordWriter;
  readonly #now: () => number;
  /**
   * Sessions whose first message already carried `set-status active` (later ones would be no-ops in
   * the store: a session leaves `pending` once), so a session's every message does not update its row.
   */
  readonly #activated = new Set<string>();

  constructor(writer: BatchingRecordWriter, now: () => number) {
    this.#writer = writer;
    this.#now = now;
  }

  /** Records a new `pending` session; resolves when committed. */
  sessionCreated(s: NewSession, mode: SessionMode = "cascade"): Promise<void> {
    const createdAt = this.#now();
    return this.#writer.durable({
      op: "create-session",
      visitorHash: s.visitorId ? hashVisitorId(s.visitorId) : null,
      session: {
        id: s.id,
        agent: s.agent,
        origin: s.origin,
        mode,
        status: "pending",
        conversationId: s.conversationId ?? null,
        createdAt,
        startedAt: null,
        endedAt: null,
        expiresAt: Math.min(createdAt + s.idleTimeoutMs, s.endsAt),
        lastActiveAt: null,
        durationMs: null,
        endReason: null,
        client: null,
        context: s.context ?? null,
      },
    });
  }

  /**
   * Records a message (and marks the session `active`); resolves when committed. A second `user` message
   * of the same turn (`utteranceId`) is skipped by the store: a spoken turn's chat request carries its
   * transcript again.
   */
  message(sessionId: string, m: CapturedMessage): Promise<void> {
    const add: RecordOp = { op: "add-message", message: this.#message(sessionId, m) };
    if (this.#activated.has(sessionId)) return this.#writer.durable(add);
    if (this.#activated.size >= ACTIVATED_MEMORY) this.#activated.delete(this.#activated.values().next().value!);
    this.#activated.add(sessionId);
    return this.#writer.durable(add, { op: "set-status", sessionId, status: "active", at: m.startAt ?? this.#now() });
  }

  /**
   * The widget made a request of the session (a proxy route or a token refresh): queues the move of its
   * lapse to `idleTimeoutMs` from now, never after `endsAt` (epoch ms).
   */
  activity(sessionId: string, idleTimeoutMs: number, endsAt: number): void {
    const at = this.#now();
    this.#writer.enqueue({ op: "touch", sessionId, at, lapseAt: Math.min(at + idleTimeoutMs, endsAt) });
  }

  #message(sessionId: string, m: CapturedMessage): MessageRecord {
    return {
      sessionId,
      promptTokens: null,
      completionTokens: null,
      utteranceId: null,
      audioDurationMs: null,
      interrupted: false,
      heardText: null,
      latency: {},
      toolCalls: null,
      toolCallId: null,
      ...m,
    };
  }

  /** The record of a widget's `message` report (a direct realtime call's), placed at `at`. */
  #reported(sessionId: string, report: Extract<SessionReport, { type: "message" }>, at: number): MessageRecord {
    return this.#message(sessionId, {
      id: report.messageId,
      role: report.role,
      text: report.text,
      startAt: report.audioMs === undefined ? at : at - report.audioMs,
      endAt: at,
      utteranceId: report.turnId ?? null,
      ...(report.role === "user" ? { audioDurationMs: report.audioMs ?? null } : {}),
      interrupted: report.interrupted ?? false,
      heardText: report.heardText ?? null,
      promptTokens: report.promptTokens ?? null,
      completionTokens: report.completionTokens ?? null,
    });
  }

  /** Queues a change of a recorded message: interrupted, with the text the visitor heard (when known). */
  patch(sessionId: string, messageId: string, patch: { interrupted: boolean; heardText?: string }): void {
    this.#writer.enqueue({ op: "patch-message", sessionId, messageId, ...patch });
  }

  /** Queues an event. */
  event(sessionId: string, type: string, payload: Record<string, unknown>, source: EventSource = "relay"): void {
    const at = this.#now();
    this.#writer.enqueue({ op: "add-event", event: { id: uuidv7(at), sessionId, type, source, at, payload } });
  }

  /**
   * Records what the widget reported, each report at the time it happened ({@link reportTime}, with the
   * widget clock's offset as `skewMs` in its event); resolves when committed (with the store down, after
   * the writer's durable timeout). A patch of a reply not recorded yet (still streaming, here or on
   * another instance) is kept by the store until the reply's message lands. `greeting` is the agent's greeting, recorded when the widget reports it spoke it.
   */
  async report(sessionId: string, batch: ReportBatch): Promise<void> {
    const receivedAt = this.#now();
    const { reports, sentAt } = batch;
    const clock = sentAt === undefined ? {} : { skewMs: receivedAt - sentAt };
    const ops: RecordOp[] = [];
    for (const report of reports) {
      const { type, at: clientAt, ...payload } = report;
      const at = reportTime(clientAt, sentAt, receivedAt);
      const stamps = clientAt === undefined ? {} : { clientAt, ...clock };
      // A message is a message, not an event as well (its text is not kept twice).
      if (report.type !== "message")
        ops.push({ op: "add-event", event: { id: uuidv7(at), sessionId, type, source: "widget", at, payload: { ...payload, ...stamps } } });
      switch (report.type) {
        case "message":
          ops.push({ op: "add-message", message: this.#reported(sessionId, report, at) });
          break;
        case "greeting":
          ops.push({
            op: "add-message",
            message: this.#message(sessionId, {
              id: greetingMessageId(sessionId),
              role: "assistant",
              text: batch.greeting,
              startAt: at,
              endAt: null,
            }),
          });
          break;
        case "start":
          ops.push({ op: "set-client", sessionId, client: { sampleRate: report.sampleRate, language: report.language } });
          ops.push({ op: "set-status", sessionId, status: "active", at });
          break;
        case "interruption":
          ops.push({ op: "patch-message", sessionId, messageId: report.messageId, interrupted: true, heardText: report.heardText });
          break;
        case "turn-latency":
          if (report.messageId) ops.push({ op: "patch-message", sessionId, messageId: report.messageId, latency: report.latency });
          break;
        case "end":
          if (report.reason === "error") ops.push({ op: "set-status", sessionId, status: "failed", at, reason: "error" });
          else if (report.reason === "unload") ops.push({ op: "set-status", sessionId, status: "cancelled", at, reason: "unload" });
          else {
            ops.push({ op: "set-status", sessionId, status: "completed", at, reason: "hangup", from: ["active"] });
            ops.push({ op: "set-status", sessionId, status: "cancelled", at, reason: "hangup", from: ["pending"] });
          }
          break;
        default:
          break;
      }
    }
    return this.#writer.durable(...ops);
  }

  /** Resolves when everything recorded so far is committed. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }
}
