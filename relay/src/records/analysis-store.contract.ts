import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { messageOp, sessionOp } from "../../test/record-fixtures.ts";
import type { SessionStore } from "./session-store.ts";
import type { StoreFactory } from "./session-store.contract.ts";

const T0 = 1_800_000_000_000;
const LEASE = 60_000;

/** The analysis part of the {@link SessionStore} contract: claims, leases, outcomes, deletion. */
export function describeAnalysisStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} (analysis claims)`, () => {
    let store: SessionStore;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ store, dispose } = await factory());
    });
    afterEach(async () => {
      await dispose();
    });

    /** A session of `agent` that ended at `endedAt` (or is still open when null). */
    async function session(agent: string, endedAt: number | null): Promise<string> {
      const s = sessionOp({ agent, createdAt: T0 });
      const id = s.session.id;
      await store.apply([s, messageOp(id, { startAt: T0 + 10 })]);
      await store.apply([{ op: "set-status", sessionId: id, status: "active", at: T0 + 10 }]);
      if (endedAt !== null) await store.apply([{ op: "set-status", sessionId: id, status: "completed", at: endedAt }]);
      return id;
    }
    const claim = (now: number, agents = ["demo"]) =>
      store.claimAnalyses({ agents, now, endedAfter: T0, endedBefore: T0 + 5000, leaseMs: LEASE, limit: 10 });

    it("claims ended sessions of the listed agents in the window once per lease, and counts attempts", async () => {
      const ended = await session("demo", T0 + 1000);
      await session("demo", null);
      await session("other", T0 + 1000);
      await session("demo", T0 + 9000); // ends after endedBefore (T0 + 5000)
      expect(await claim(T0 + 5000)).toEqual([{ sessionId: ended, attempt: 1 }]);
      expect(await claim(T0 + 5000 + LEASE - 1)).toEqual([]);
      // The lease ran out without an outcome (a worker died): claimed again, attempt 2.
      expect(await claim(T0 + 5000 + LEASE)).toContainEqual({ sessionId: ended, attempt: 2 });
      const detail = await store.getSession(ended);
      expect(detail?.analysis).toMatchObject({ status: "pending", attempts: 2, result: null, nextAttemptAt: T0 + 5000 + 2 * LEASE });
    });

    it("stores a result with its usage; a done analysis is never claimed again, and a late outcome changes nothing", async () => {
      const id = await session("demo", T0 + 1000);
      await claim(T0 + 2000);
      const result = { summary: 'Asked about "shipping"\n', sentiment: "positive", answers: { q: { answer: null, confidence: 0.5 } } };
      const done = {
        status: "done",
        at: T0 + 3000,
        result,
        model: "analysis-model",
        usage: { promptTokens: 120, completionTokens: 30 },
      } as const;
      await store.apply([{ op: "set-analysis", sessionId: id, outcome: done }]);
      await store.apply([{ op: "set-analysis", sessionId: id, outcome: { status: "failed", at: T0 + 4000, error: "late" } }]);
      expect((await store.getSession(id))?.analysis).toEqual({
        status: "done",
        attempts: 1,
        result,
        model: "analysis-model",
        usage: { promptTokens: 120, completionTokens: 30 },
        error: null,
        completedAt: T0 + 3000,
        nextAttemptAt: null,
      });
      expect(await claim(T0 + 10 * LEASE)).toEqual([]);
    });

    it("retries a pending analysis at its next time, and stops at failed or skipped", async () => {
      const retried = await session("demo", T0 + 1000);
      const failed = await session("demo", T0 + 1001);
      const skipped = await session("demo", T0 + 1002);
      expect(await claim(T0 + 2000)).toHaveLength(3);
      await store.apply([
        { op: "set-analysis", sessionId: retried, outcome: { status: "pending", error: "upstream_error", nextAt: T0 + 2500 } },
        { op: "set-analysis", sessionId: failed, outcome: { status: "failed", at: T0 + 2100, error: "invalid_result" } },
        { op: "set-analysis", sessionId: skipped, outcome: { status: "skipped", at: T0 + 2100, reason: "no_visitor_turns" } },
      ]);
      expect((await store.getSession(retried))?.analysis).toMatchObject({
        status: "pending",
        error: "upstream_error",
        nextAttemptAt: T0 + 2500,
      });
      expect((await store.getSession(failed))?.analysis).toMatchObject({
        status: "failed",
        error: "invalid_result",
        completedAt: T0 + 2100,
      });
      expect((await store.getSession(skipped))?.analysis).toMatchObject({ status: "skipped", error: "no_visitor_turns" });
      expect(await claim(T0 + 2499)).toEqual([]);
      expect(await claim(T0 + 2500)).toEqual([{ sessionId: retried, attempt: 2 }]);
    });

    it("never hands the same session to two claims at once, and deletes the analysis with its session", async () => {
      const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => session("demo", T0 + 1000 + i)));
      const claims = await Promise.all(Array.from({ length: 4 }, () => claim(T0 + 5000)));
      const claimed = claims.flat().map((c) => c.sessionId);
      expect(claimed.sort()).toEqual([...ids].sort());
      await store.deleteSessions({ ids: [ids[0]!] });
      expect(await store.getSession(ids[0]!)).toBeUndefined();
      expect((await store.getSession(ids[1]!))?.analysis?.status).toBe("pending");
    });
  });
}
