/**
 * `pnpm --filter @voice-agent/widget bench:offline`: only the offline barge-in and echo rows (Node, no
 * browser, ≈ 4 minutes on 2 cores), printed and not written to `bench/results/` (`pnpm bench` owns those).
 */
import type { BenchRow } from "../../scripts/bench-report.ts";
import { bargeInOfflineRows } from "./barge-in-offline.ts";

const rows: BenchRow[] = [];
const started = performance.now();
await bargeInOfflineRows(rows);
for (const r of rows) {
  const base = r.baseline === undefined ? "" : ` (baseline ${Math.round(r.baseline * 10) / 10})`;
  console.log(`${r.key ?? "-"} | ${r.name}: ${Math.round(r.value * 10) / 10} ${r.unit}${base}${r.note ? `\n    ${r.note}` : ""}`);
}
console.log(`${rows.length} rows in ${Math.round((performance.now() - started) / 1000)} s`);
