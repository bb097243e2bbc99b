import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SessionRevocations } from "./session-revocations.ts";

/** Opens instances of one implementation over one storage (a fresh storage per test). */
export interface RevocationsFactory {
  /** Opens an instance on this test's storage: a second relay instance, or the same relay after a restart. */
  open(): Promise<SessionRevocations>;
  /** Whether an instance opened later (a restart) still sees what earlier ones revoked. */
  durable: boolean;
  /** Whether two instances open at once see each other's revocations (within 1 s). */
  shared: boolean;
  /** Closes what `open` opened and removes the storage. */
  dispose(): Promise<void>;
}

/** How long a revocation may take to reach another instance (ms): the design's bound. */
const PROPAGATION_MS = 1000;

async function within(ms: number, done: () => boolean): Promise<number> {
  const start = performance.now();
  while (!done()) {
    if (performance.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - start;
}

/** The contract every {@link SessionRevocations} implementation passes. */
export function describeSessionRevocationsContract(name: string, makeFactory: () => Promise<RevocationsFactory>): void {
  describe(`${name} (SessionRevocations contract)`, () => {
    let factory: RevocationsFactory;
    const later = () => Date.now() + 600_000;
    beforeEach(async () => {
      factory = await makeFactory();
    });
    afterEach(async () => {
      await factory.dispose();
    });

    it("refuses the revoked sessions at once on the instance that revoked them, and nobody else", async () => {
      const revocations = await factory.open();
      const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      expect(revocations.isRevoked(a)).toBe(false);
      await revocations.revoke([a, b], later());
      await revocations.revoke([], later());
      await revocations.revoke([a], later());
      expect([a, b, c].map((id) => revocations.isRevoked(id))).toEqual([true, true, false]);
    });

    it("closes idempotently", async () => {
      const revocations = await factory.open();
      await revocations.close();
      await revocations.close();
    });

    it("survives a restart until the session's end, when durable", async (ctx) => {
      if (!factory.durable) return ctx.skip();
      const before = await factory.open();
      const [live, ended] = [crypto.randomUUID(), crypto.randomUUID()];
      await before.revoke([live], later());
      await before.revoke([ended], Date.now() - 1000);
      await before.close();
      const after = await factory.open();
      expect(after.isRevoked(live)).toBe(true);
      // Past its end the token is refused as expired anyway: the revocation is dropped.
      expect(after.isRevoked(ended)).toBe(false);
    });

    it("reaches another instance on the same storage within 1 s, when shared", async (ctx) => {
      if (!factory.shared) return ctx.skip();
      const [a, b] = [await factory.open(), await factory.open()];
      const [first, second] = [crypto.randomUUID(), crypto.randomUUID()];
      await a.revoke([first], later());
      await within(PROPAGATION_MS, () => b.isRevoked(first));
      await b.revoke([second], later());
      await within(PROPAGATION_MS, () => a.isRevoked(second));
      expect(b.isRevoked(crypto.randomUUID())).toBe(false);
    });
  });
}
