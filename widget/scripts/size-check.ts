/**
 * Size check of the built widget (`dist/`): gzip sizes of the loader (the script-tag entry and what it
 * imports statically), the lazily loaded history store (Dexie), the conversation + audio engine loaded
 * on first interaction, the WebRTC call (loaded only for `transport="webrtc"`: the call, its replies' barge-in, the reports of a call the widget starts itself), one language's strings (the
 * largest file: a page fetches one), and the binary assets (VAD model, WASM). Fails when a group is over its budget
 * in `size-budget.json` (bytes, gzip), or when an asset has no brotli copy. Run after `vite build`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { LOCALES } from "../src/strings/locale-strings.ts";

const dist = new URL("../dist/", import.meta.url).pathname;
const budget = JSON.parse(readFileSync(new URL("../size-budget.json", import.meta.url), "utf8")) as Record<Group, number>;
type Group = "loader" | "history" | "engine" | "webrtc" | "strings" | "assets";

// The `.br` / `.gz` copies beside the files are the same bytes encoded for the server (scripts/precompress.ts).
const files = readdirSync(dist).filter((f) => !/\.(br|gz)$/.test(f));
const gz = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const text = (file: string) => readFileSync(join(dist, file), "utf8");

/** `file` and every module it imports statically (`import … from "./x.js"` / `import "./x.js"`). */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, dep] of text(file).matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) staticClosure(dep!, seen);
  return seen;
}

const loader = staticClosure("voice-agent.js");
const historyEntry = files.find((f) => f.startsWith("dexie-history-store-"));
const history = new Set([...(historyEntry ? staticClosure(historyEntry) : [])].filter((f) => !loader.has(f)));
// The WebRTC call's own chunk: a page on the realtime WebSocket (or another mode) never fetches it.
const webrtc = new Set(files.filter((f) => /^(realtime-webrtc|remote-reply|call-reports)-.*\.js$/.test(f)));
// One language's strings are fetched by a page in that language: the budget is per file.
const strings = new Set(files.filter((f) => LOCALES.some((locale) => f.startsWith(`${locale}-`))));
const groups: Record<Group, string[]> = {
  loader: [...loader],
  history: [...history],
  engine: files.filter((f) => f.endsWith(".js") && !loader.has(f) && !history.has(f) && !webrtc.has(f) && !strings.has(f)),
  webrtc: [...webrtc],
  strings: [...strings],
  assets: files.filter((f) => !f.endsWith(".js")),
};

let failed = false;
for (const [group, members] of Object.entries(groups) as [Group, string[]][]) {
  const size = group === "strings" ? Math.max(0, ...members.map(gz)) : members.reduce((n, f) => n + gz(f), 0);
  const over = size > budget[group];
  failed ||= over;
  console.log(
    `${over ? "✗" : "✓"} ${group.padEnd(8)} ${(size / 1024).toFixed(1).padStart(8)} KB gzip  (budget ${(budget[group] / 1024).toFixed(1)} KB; ${members.length} files)`,
  );
}
// What the relay sends for the assets: their brotli copies, which the build must have written.
const withoutBrotli = groups.assets.filter((f) => !existsSync(join(dist, `${f}.br`)));
if (withoutBrotli.length > 0) {
  console.error(`✗ no .br copy of ${withoutBrotli.join(", ")} (scripts/precompress.ts did not run?)`);
  failed = true;
} else {
  console.log(
    `  assets as served: ${(groups.assets.reduce((n, f) => n + statSync(join(dist, `${f}.br`)).size, 0) / 1024).toFixed(1)} KB brotli`,
  );
}
if (failed) {
  console.error("Size budget exceeded: shrink the growth or raise widget/size-budget.json with a reason in the commit.");
  process.exit(1);
}
