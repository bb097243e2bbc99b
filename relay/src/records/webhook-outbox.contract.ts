import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { messageOp, sessionOp } from "../../test/record-fixtures.ts";
import type { RecordOp } from "./record-op.ts";
import type { StoreFactory } from "./session-store.contract.ts";
import type { SessionStore } from "./session-store.ts";
import type { NewWebhookDelivery, WebhookAttempt } from "./webhook-outbox.ts";

const T0 = 1_800_000_000_000;

/** An `enqueue-webhook` op for session `sessionId`. */
function webhookOp(sessionId: string, overrides: Partial<NewWebhookDelivery> = {}): Extract<RecordOp, { op: "enqueue-webhook" }> {
  return {
    op: "enqueue-webhook",
    delivery: {
      id: `msg_${crypto.randomUUID()}`,
      sessionId,
      agent: "demo",
      event: "analysis.completed",
      url: "https://hooks.example.com/in",
      payload: '{"type":"analysis.completed","timestamp":"2027-01-15T08:00:00.000Z","data":{"score":3}}',
      createdAt: T0,
      ...overrides,
    },
  };
}

const failedAttempt = (at: number): WebhookAttempt => ({ at, status: 503, error: "http_error", durationMs: 12 });

/** The outbox half of the store contract (`describeSessionStoreContract` runs it for every store). */
export function describeWebhookOutboxContract(name: string, factory: StoreFactory): void {
  describe(`${name} (WebhookOutbox contract)`, () => {
    let store: SessionStore;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ store, dispose } = await factory());
    });
    afterEach(async () => {
      await dispose();
    });

    it("enqueues atomically with other ops, once per id, never for an unknown session, and lists with filters and pages", async () => {
      const s = sessionOp({ createdAt: T0 });
      const other = sessionOp({ createdAt: T0, agent: "sales" });
      const op = webhookOp(s.session.id);
      // In the same batch as the session it is about, before it in the batch.
      await store.apply([op, s, other, messageOp(s.session.id)]);
      await store.apply([op, webhookOp("no-such-session")]);
      const listed = await store.listWebhooks({ limit: 10 });
      expect(listed).toEqual({
        webhooks: [
          {
            id: op.delivery.id,
            sessionId: s.session.id,
            agent: "demo",
            event: "analysis.completed",
            url: "https://hooks.example.com/in",
            status: "pending",
            attempts: [],
            nextAttemptAt: T0,
            createdAt: T0,
          },
        ],
        nextCursor: null,
      });
      const more = Array.from({ length: 5 }, (_, i) => webhookOp(other.session.id, { agent: "sales", createdAt: T0 + 1 + i }));
      await store.apply(more);
      expect((await store.listWebhooks({ limit: 10, agents: ["demo"] })).webhooks.map((w) => w.id)).toEqual([op.delivery.id]);
      expect((await store.listWebhooks({ limit: 10, agents: [] })).webhooks).toEqual([]);
      expect((await store.listWebhooks({ limit: 10, sessionId: s.session.id })).webhooks).toHaveLength(1);
      expect((await store.listWebhooks({ limit: 10, status: "delivered" })).webhooks).toEqual([]);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listWebhooks({ limit: 4, ...(cursor ? { cursor } : {}) });
        seen.push(...page.webhooks.map((w) => w.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual([...more.reverse().map((o) => o.delivery.id), op.delivery.id]);
      await expect(store.listWebhooks({ limit: 5, cursor: "garbage" })).rejects.toThrow(RangeError);
    });

    it("claims due deliveries oldest first under a lease, records attempts in order and stops at delivered or failed", async () => {
      const s = sessionOp({ createdAt: T0 });
      const [a, b, c] = [T0 + 20, T0 + 10, T0 + 5_000].map((createdAt) => webhookOp(s.session.id, { createdAt }));
      await store.apply([s, a!, b!, c!]);
      const claimed = await store.claimWebhooks(T0 + 1000, T0 + 60_000, 10);
      expect(claimed.map((w) => w.id).sort()).toEqual([a!.delivery.id, b!.delivery.id].sort());
      expect(claimed[0]?.payload).toBe(a!.delivery.payload);
      // Leased: not claimed again until the lease ends, unless recorded.
      expect(await store.claimWebhooks(T0 + 30_000, T0 + 90_000, 10)).toMatchObject([{ id: c!.delivery.id }]);
      await store.recordWebhookAttempt(a!.delivery.id, failedAttempt(T0 + 1000), T0 + 40_000);
      await store.recordWebhookAttempt(b!.delivery.id, { at: T0 + 1000, status: 204, error: null, durationMs: 8 }, "delivered");
      expect(await store.claimWebhooks(T0 + 39_999, T0 + 90_000, 10)).toEqual([]);
      const again = await store.claimWebhooks(T0 + 40_000, T0 + 100_000, 10);
      expect(again.map((w) => [w.id, w.attempts])).toEqual([[a!.delivery.id, [failedAttempt(T0 + 1000)]]]);
      await store.recordWebhookAttempt(a!.delivery.id, failedAttempt(T0 + 40_000), "failed");
      // Too late for a delivery that ended.
      await store.recordWebhookAttempt(a!.delivery.id, failedAttempt(T0 + 50_000), T0 + 60_000);
      expect(await store.claimWebhooks(T0 + 10_000_000, T0 + 10_060_000, 10)).toMatchObject([{ id: c!.delivery.id }]);
      const byId = new Map((await store.listWebhooks({ limit: 10 })).webhooks.map((w) => [w.id, w]));
      expect(byId.get(a!.delivery.id)).toMatchObject({
        status: "failed",
        nextAttemptAt: null,
        attempts: [failedAttempt(T0 + 1000), failedAttempt(T0 + 40_000)],
      });
      expect(byId.get(b!.delivery.id)).toMatchObject({
        status: "delivered",
        nextAttemptAt: null,
        attempts: [{ status: 204, error: null }],
      });
      expect((await store.listWebhooks({ limit: 10, status: "failed" })).webhooks.map((w) => w.id)).toEqual([a!.delivery.id]);
    });

    it("never hands one delivery to two claims at once", async () => {
      const s = sessionOp({ createdAt: T0 });
      const ops = Array.from({ length: 40 }, (_, i) => webhookOp(s.session.id, { createdAt: T0 + i }));
      await store.apply([s, ...ops]);
      const claims = await Promise.all(Array.from({ length: 4 }, () => store.claimWebhooks(T0 + 1000, T0 + 60_000, 15)));
      const ids = claims.flat().map((w) => w.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(40);
    });

    it("announces each session that reached a terminal status once, by set-status or by lapsing, atomically", async () => {
      const ended = sessionOp({ createdAt: T0 });
      const lapsed = sessionOp({ createdAt: T0, expiresAt: T0 + 1000 });
      const open = sessionOp({ createdAt: T0 });
      const sales = sessionOp({ createdAt: T0, agent: "sales" });
      await store.apply([
        ended,
        lapsed,
        open,
        sales,
        { op: "set-status", sessionId: ended.session.id, status: "active", at: T0 + 100 },
        { op: "set-status", sessionId: open.session.id, status: "active", at: T0 + 100 },
        { op: "set-status", sessionId: ended.session.id, status: "completed", at: T0 + 900, reason: "hangup" },
        { op: "set-status", sessionId: sales.session.id, status: "cancelled", at: T0 + 50, reason: "unload" },
      ]);
      await store.markLapsed(T0 + 5000);
      const failing = store.announceEndings(() => {
        throw new Error("boom");
      }, 10);
      await expect(failing).rejects.toThrow("boom");
      const seen: { id: string; status: string; endedAt: number | null }[] = [];
      const taken = await store.announceEndings((session) => {
        seen.push({ id: session.id, status: session.status, endedAt: session.endedAt });
        if (session.agent !== "demo") return [];
        return [webhookOp(session.id, { id: `msg_end_${session.id}`, event: "session.ended", createdAt: T0 + 6000 }).delivery];
      }, 10);
      expect(taken).toBe(3);
      expect(seen.sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual(
        [
          { id: ended.session.id, status: "completed", endedAt: T0 + 900 },
          { id: lapsed.session.id, status: "timeout", endedAt: T0 },
          { id: sales.session.id, status: "cancelled", endedAt: T0 + 50 },
        ].sort((x, y) => (x.id < y.id ? -1 : 1)),
      );
      expect(await store.announceEndings(() => [], 10)).toBe(0);
      const ids = (await store.listWebhooks({ limit: 10 })).webhooks.map((w) => w.id).sort();
      expect(ids).toEqual([`msg_end_${ended.session.id}`, `msg_end_${lapsed.session.id}`].sort());
      // A status that does not change (already terminal) announces nothing again.
      await store.apply([{ op: "set-status", sessionId: ended.session.id, status: "failed", at: T0 + 9000 }]);
      expect(await store.announceEndings(() => [], 10)).toBe(0);
    });

    it("takes at most `limit` sessions per announcement", async () => {
      const sessions = Array.from({ length: 5 }, (_, i) => sessionOp({ createdAt: T0 + i }));
      await store.apply([
        ...sessions,
        ...sessions.map((s): RecordOp => ({ op: "set-status", sessionId: s.session.id, status: "cancelled", at: T0 + 100 })),
      ]);
      expect(await store.announceEndings(() => [], 2)).toBe(2);
      expect(await store.announceEndings(() => [], 10)).toBe(3);
    });

    it("deletes deliveries with their session (admin delete, forget me, purge)", async () => {
      const a = sessionOp({ createdAt: T0 }, "hash-a");
      const b = sessionOp({ createdAt: T0 });
      const old = sessionOp({ createdAt: T0 - 90 * 86_400_000 });
      await store.apply([a, b, old, webhookOp(a.session.id), webhookOp(b.session.id), webhookOp(old.session.id)]);
      await store.deleteSessions({ visitorOf: a.session.id });
      await store.deleteSessions({ ids: [b.session.id] });
      expect((await store.listWebhooks({ limit: 10 })).webhooks.map((w) => w.sessionId)).toEqual([old.session.id]);
      await store.purge({ byAgent: new Map(), otherwise: T0 - 30 * 86_400_000 });
      expect((await store.listWebhooks({ limit: 10 })).webhooks).toEqual([]);
    });
  });
}
