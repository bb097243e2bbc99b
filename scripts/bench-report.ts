/**
 * The one format of benchmark results. Each benchmark script calls {@link writeBenchResults} with its
 * rows; `pnpm bench` runs every package's `bench` script and then `scripts/bench-summary.ts`, which
 * merges `bench/results/*.json` into `bench/results.json` and prints one table.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** One measured figure. `baseline` is the same quantity measured in the same run by the reference path. */
export interface BenchRow {
  /**
   * A stable identifier for tools that track a figure across runs (e.g. `v2v_cloud_p50_ms`), when the row
   * has one; the name may be reworded, the key is not.
   */
  key?: string;
  /** e.g. "relay chat TTFB p50 @50 streams (added)". */
  name: string;
  /** e.g. "ms", "msg/s", "x realtime", "KB gzip", "dB". */
  unit: string;
  value: number;
  /** The reference measured in the same run (direct vs relayed, sox vs ours), when there is one. */
  baseline?: number;
  /** Free text: what the baseline is, conditions, target. */
  note?: string;
  /** How many trials the value summarizes, when it counts or ranks trials (e.g. replies with an underrun out of `trials`). */
  trials?: number;
}

const resultsDir = fileURLToPath(new URL("../bench/results/", import.meta.url));

/**
 * Writes the rows of one benchmark suite to `bench/results/<suite>.json` and prints them; with `save` false
 * (a partial run of the suite) only prints them.
 */
export async function writeBenchResults(suite: string, rows: BenchRow[], { save = true }: { save?: boolean } = {}): Promise<void> {
  if (save) {
    await mkdir(resultsDir, { recursive: true });
    await writeFile(`${resultsDir}${suite}.json`, JSON.stringify({ suite, at: new Date().toISOString(), rows }, null, 2));
  }
  console.table(
    rows.map((r) => ({
      name: r.name,
      value: round(r.value),
      unit: r.unit,
      baseline: r.baseline === undefined ? "" : round(r.baseline),
      note: r.note ?? "",
    })),
  );
}

function round(x: number): number {
  return Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 100) / 100;
}
