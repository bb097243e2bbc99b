import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SessionCoordination } from "./session-coordination.ts";

/**
 * Makes a fresh coordination; `peer` (when the implementation is shared) makes another instance on the
 * same state, and `settle` waits until every instance has exchanged what it counted.
 */
export type CoordinationFactory = () => Promise<{
  coordination: SessionCoordination;
  peer?: () => Promise<SessionCoordination>;
  settle?: () => Promise<void>;
  dispose: () => Promise<void>;
}>;

const T0 = 1_800_000_000_000;

/** The contract every {@link SessionCoordination} implementation passes. */
export function describeSessionCoordinationContract(name: string, factory: CoordinationFactory): void {
  describe(`${name} (SessionCoordination contract)`, () => {
    let made: Awaited<ReturnType<CoordinationFactory>>;
    beforeEach(async () => {
      made = await factory();
    });
    afterEach(async () => {
      await made.dispose();
    });

    it("allows `limit` requests of a key per minute, then refuses with the wait until the minute resets", () => {
      const { coordination } = made;
      for (let i = 0; i < 3; i++) expect(coordination.hit("req:a", T0 + i, 3)).toEqual({ ok: true });
      const refused = coordination.hit("req:a", T0 + 10, 3);
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
      expect(coordination.hit("req:b", T0 + 10, 3)).toEqual({ ok: true });
      expect(coordination.hit("req:a", T0 + 60_000, 3)).toEqual({ ok: true });
    });

    it("ends a session idle for its timeout for good, and keeps an active one", () => {
      const { coordination } = made;
      const end = T0 + 600_000;
      expect(coordination.touch("s1", T0, end, 5_000)).toBe(true);
      expect(coordination.touch("s1", T0 + 4_000, end, 5_000)).toBe(true);
      expect(coordination.touch("s1", T0 + 8_000, end, 5_000)).toBe(true);
      expect(coordination.touch("s1", T0 + 13_000, end, 5_000)).toBe(false);
      expect(coordination.touch("s1", T0 + 13_100, end, 5_000)).toBe(false);
      expect(coordination.touch("s2", T0 + 13_100, end, 5_000)).toBe(true);
    });

    it("refuses a revoked session until the given time, and only that session", async () => {
      const { coordination } = made;
      await coordination.revoke(["gone-1", "gone-2"], Date.now() + 60_000);
      expect(coordination.isRevoked("gone-1")).toBe(true);
      expect(coordination.isRevoked("gone-2")).toBe(true);
      expect(coordination.isRevoked("still-here")).toBe(false);
    });

    it("counts a limit once across instances and runs one idle clock for a session served by both", async ({ skip }) => {
      if (!made.peer || !made.settle) return skip();
      const { coordination } = made;
      const other = await made.peer();
      const now = Date.now();
      for (let i = 0; i < 3; i++) expect(coordination.hit("req:shared", now, 5)).toEqual({ ok: true });
      await made.settle();
      expect(other.hit("req:shared", now, 5)).toEqual({ ok: true });
      expect(other.hit("req:shared", now, 5)).toEqual({ ok: true });
      expect(other.hit("req:shared", now, 5).ok).toBe(false);
      await made.settle();
      // A session at its limit is refused whichever instance it reaches.
      expect(coordination.hit("req:shared", now, 5).ok).toBe(false);

      // Served by the other instance for a minute: this one's last sight of it is old, but not its clock.
      const end = now + 600_000;
      expect(coordination.touch("s-shared", now - 60_000, end, 90_000)).toBe(true);
      await made.settle();
      expect(other.touch("s-shared", now, end, 90_000)).toBe(true);
      await made.settle();
      // 120 s after this instance last saw it, 60 s after the other did: not idle.
      expect(coordination.touch("s-shared", now + 60_000, end, 90_000)).toBe(true);

      // A session revoked on one instance is refused by the other within a second.
      await other.revoke(["s-forgotten"], now + 60_000);
      await expect.poll(() => coordination.isRevoked("s-forgotten"), { timeout: 1000, interval: 50 }).toBe(true);
    });
  });
}
