import pg from "pg";

/** BIGINT columns (epoch ms, counts) as numbers: every value the records keep fits in 2^53. */
export const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Where a {@link openPostgresPool} pool connects. */
export interface PostgresTarget {
  /** `postgres://user:password@host:port/database`. */
  connectionString: string;
  /** Schema of the tables (created if missing); default the connection's `search_path`. */
  schema?: string;
}

/**
 * A small pool (2 connections) for one of the relay's own shared tables: BIGINTs as numbers, the schema on
 * the search path, idle-connection errors ignored (the next query reconnects), and `ddl` run once under
 * the advisory lock `lock`, so that instances starting together do not race on `CREATE … IF NOT EXISTS`.
 */
export async function openPostgresPool(target: PostgresTarget, lock: number, ddl: readonly string[]): Promise<pg.Pool> {
  if (target.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(target.schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${target.schema}".`);
  }
  const search = target.schema ? { options: `-c search_path=${target.schema}` } : {};
  const pool = new pg.Pool({ connectionString: target.connectionString, max: 2, types: pgTypes, ...search });
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [lock]);
      if (target.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${target.schema}`);
      for (const statement of ddl) await client.query(statement);
      await client.query("COMMIT");
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}
