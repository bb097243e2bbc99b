import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemorySessionRevocations } from "./memory-session-revocations.ts";
import { PostgresSessionRevocations } from "./records/postgres-session-revocations.ts";
import { SqliteSessionRevocations } from "./records/sqlite-session-revocations.ts";
import type { SessionRevocations } from "./session-revocations.ts";
import { describeSessionRevocationsContract } from "./session-revocations.contract.ts";

/** Closes every instance opened, then removes the storage. */
function tracked(open: () => Promise<SessionRevocations>, remove: () => Promise<void>) {
  const opened: SessionRevocations[] = [];
  return {
    open: async () => {
      const revocations = await open();
      opened.push(revocations);
      return revocations;
    },
    dispose: async () => {
      for (const revocations of opened) await revocations.close();
      await remove();
    },
  };
}

describeSessionRevocationsContract("MemorySessionRevocations", async () => ({
  ...tracked(
    async () => new MemorySessionRevocations(),
    async () => {},
  ),
  durable: false,
  shared: false,
}));

describeSessionRevocationsContract("SqliteSessionRevocations", async () => {
  const dir = mkdtempSync(join(tmpdir(), "revocations-"));
  const path = join(dir, "records.sqlite");
  return {
    ...tracked(
      async () => new SqliteSessionRevocations(path),
      async () => rmSync(dir, { recursive: true, force: true }),
    ),
    durable: true,
    shared: false,
  };
});

const pgUrl = process.env.DATABASE_URL_TEST;
if (pgUrl) {
  let n = 0;
  describeSessionRevocationsContract("PostgresSessionRevocations", async () => {
    const schema = `revocations_${process.pid}_${n++}`;
    const open = () => PostgresSessionRevocations.open({ connectionString: pgUrl, schema });
    const remove = async () => {
      const admin = await open();
      await admin.dropSchema(schema);
      await admin.close();
    };
    return { ...tracked(open, remove), durable: true, shared: true };
  });
} else if (process.env.CI === "true") {
  describe("PostgresSessionRevocations (SessionRevocations contract)", () => {
    it("runs in CI", () => {
      throw new Error("DATABASE_URL_TEST is not set: .ci/run must start PostgreSQL (bash .ci/postgres.sh) and export it.");
    });
  });
} else {
  console.warn("PostgresSessionRevocations contract SKIPPED: no server. Run: export DATABASE_URL_TEST=$(bash .ci/postgres.sh)");
  describe.skip("PostgresSessionRevocations (SessionRevocations contract) — SKIPPED: set DATABASE_URL_TEST", () => {
    it("needs a PostgreSQL server", () => {});
  });
}

describe("MemorySessionRevocations", () => {
  it("forgets revocations past their end, at most once a minute", async () => {
    let clock = 1_000_000;
    const revocations = new MemorySessionRevocations(() => clock);
    await revocations.revoke(["short"], clock + 10_000);
    await revocations.revoke(["long"], clock + 600_000);
    clock += 30_000;
    await revocations.revoke(["third"], clock + 600_000);
    expect(revocations.size).toBe(3);
    clock += 31_000;
    await revocations.revoke(["fourth"], clock + 600_000);
    expect(revocations.size).toBe(3);
    expect(revocations.isRevoked("short")).toBe(false);
    expect(revocations.isRevoked("long")).toBe(true);
  });
});
