import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostgresSessionStore } from "../src/records/postgres-session-store.ts";
import type { SessionStore } from "../src/records/session-store.ts";
import { SqliteSessionStore } from "../src/records/sqlite-session-store.ts";

/** Opens a fresh migrated store; `dispose` closes it and removes what it created. */
export type OpenStore = () => Promise<{ store: SessionStore; dispose: () => Promise<void> }>;

let schemas = 0;

/** A factory per store kind, for `describe.each`: SQLite in a temporary file, and PostgreSQL when `DATABASE_URL_TEST` is set. */
export function storeFactories(): [string, OpenStore][] {
  const factories: [string, OpenStore][] = [
    [
      "SQLite",
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "records-"));
        const store = new SqliteSessionStore(join(dir, "records.sqlite"));
        await store.migrate();
        return { store, dispose: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
      },
    ],
  ];
  const url = process.env.DATABASE_URL_TEST;
  if (url) {
    factories.push([
      "PostgreSQL",
      async () => {
        const store = new PostgresSessionStore({ connectionString: url, schema: `stores_${process.pid}_${schemas++}` });
        await store.migrate();
        return { store, dispose: async () => (await store.dropSchema(), await store.close()) };
      },
    ]);
  }
  return factories;
}
