/** Merges `bench/results/*.json` into `bench/results.json` (name, unit, value, baseline, ratio) and prints one table. */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./bench-report.ts";

const dir = fileURLToPath(new URL("../bench/", import.meta.url));
const files = (await readdir(`${dir}results`).catch(() => [])).filter((f) => f.endsWith(".json")).sort();
const rows: (BenchRow & { suite: string; ratio?: number })[] = [];
for (const file of files) {
  const { suite, rows: suiteRows } = JSON.parse(await readFile(`${dir}results/${file}`, "utf8")) as { suite: string; rows: BenchRow[] };
  for (const row of suiteRows) rows.push({ suite, ...row, ...(row.baseline ? { ratio: row.value / row.baseline } : {}) });
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.versions.node}`;
await writeFile(`${dir}results.json`, JSON.stringify({ at: new Date().toISOString(), machine, rows }, null, 2));
console.log(`\nbench: ${rows.length} figures from ${files.length} suites on ${machine}`);
console.table(
  rows.map((r) => ({
    suite: r.suite,
    name: r.name,
    value: r.value,
    unit: r.unit,
    baseline: r.baseline ?? "",
    ratio: r.ratio === undefined ? "" : Math.round(r.ratio * 1000) / 1000,
  })),
);
