/** A PostgreSQL database of its own for one journey, on the server of `DATABASE_URL_TEST`. */
import pg from "pg";

/** A created database: its URL, and `drop()` once nothing uses it any more. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates database `name` (dropped first if a killed run left it) on the server of `serverUrl`. */
export async function createTestDatabase(serverUrl: string, name: string): Promise<TestDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
