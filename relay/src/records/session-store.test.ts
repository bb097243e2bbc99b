import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { PostgresSessionStore } from "./postgres-session-store.ts";
import { describeSessionStoreContract } from "./session-store.contract.ts";
import { SqliteSessionStore } from "./sqlite-session-store.ts";

describeSessionStoreContract("SqliteSessionStore", async () => {
  const dir = mkdtempSync(join(tmpdir(), "records-"));
  const store = new SqliteSessionStore(join(dir, "records.sqlite"));
  await store.migrate();
  return { store, dispose: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
});

const pgUrl = process.env.DATABASE_URL_TEST;
if (pgUrl) {
  let n = 0;
  describeSessionStoreContract("PostgresSessionStore", async () => {
    const store = new PostgresSessionStore({ connectionString: pgUrl, schema: `contract_${process.pid}_${n++}` });
    await store.migrate();
    return { store, dispose: async () => (await store.dropSchema(), await store.close()) };
  });
} else if (process.env.CI === "true") {
  describe("PostgresSessionStore (SessionStore contract)", () => {
    it("runs in CI", () => {
      throw new Error("DATABASE_URL_TEST is not set: .ci/run must start PostgreSQL (bash .ci/postgres.sh) and export it.");
    });
  });
} else {
  console.warn("PostgresSessionStore contract SKIPPED: no server. Run: export DATABASE_URL_TEST=$(bash .ci/postgres.sh)");
  describe.skip("PostgresSessionStore (SessionStore contract) — SKIPPED: set DATABASE_URL_TEST", () => {
    it("needs a PostgreSQL server", () => {});
  });
}
