/**
 * `node bench/download-bench.ts` (part of the widget's `bench` script): what a visitor downloads for the
 * VAD (model, onnxruntime's WASM and glue module), measured in Chromium. A host page embeds the widget,
 * the visitor clicks Start (the engine loads the VAD), then the page is reloaded with a warm HTTP cache and
 * started again; bytes are Chromium's own count of what came over the network for the VAD's files (headers
 * included, 0 from the cache). Four ways of serving, one step each:
 * 0. as the relay served it before issue 14: the published two-rate model, no encoding, `no-cache`;
 * 1. the baseline of the keyed rows: the same with gzip (the 5.5 MB figure);
 * 2. the 16 kHz graph, gzip, `no-cache`;
 * 3. the 16 kHz graph, brotli, `no-cache`;
 * 4. the relay as it is: the build's `widget/dist` served by a relay process (brotli, hashed files immutable).
 * 0–3 are served by the old relay's static handler (`oldWidgetServer`) plus its `.br`/`.gz` copies. Needs
 * the widget built (`pnpm build`).
 */
import { chromium, type Browser } from "@playwright/test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBenchResults, type BenchRow } from "../../scripts/bench-report.ts";
import { fakeMicArgs, CHROMIUM_PATH } from "../../scripts/chromium.ts";
import { startRelay, startStandin, type ManagedProcess } from "../../scripts/stack.ts";
import { compressed } from "../scripts/precompress.ts";
import { VAD_ASSETS } from "../scripts/vad-assets.ts";
import { publishedVadModel } from "../tools/vad-model.ts";
import { fixture } from "../test/browser/chromium.ts";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const vadFiles = Object.values(VAD_ASSETS).map((a) => a.fileName);
if (!existsSync(join(dist, VAD_ASSETS.wasm.fileName)))
  throw new Error(`widget/dist has no ${VAD_ASSETS.wasm.fileName}: run pnpm build first`);

/** KB (1024 bytes) over the network for the VAD's files on a first visit and on a reload. */
interface Visits {
  first: number;
  repeat: number;
}

/**
 * A copy of `widget/dist` with only the `.gz` copies (`gzip`) or none; `model` replaces the model's bytes
 * (its name stays).
 */
function distCopy(options: { gzip: boolean; model?: Uint8Array }): string {
  const dir = mkdtempSync(join(tmpdir(), "download-bench-"));
  const keep = (f: string) => !f.endsWith(".br") && (options.gzip || !f.endsWith(".gz"));
  for (const file of readdirSync(dist).filter(keep)) copyFileSync(join(dist, file), join(dir, file));
  if (options.model) {
    writeFileSync(join(dir, VAD_ASSETS.model.fileName), options.model);
    if (options.gzip) writeFileSync(join(dir, `${VAD_ASSETS.model.fileName}.gz`), compressed(options.model, "gz"));
  }
  return dir;
}

/** The relay's static handler before issue 14 (plus its `.br`/`.gz` copies): every file `no-cache`. */
async function oldWidgetServer(dir: string): Promise<{ url: string; close(): void }> {
  const app = new Hono();
  const files = serveStatic({ root: dir, precompressed: true });
  app.use("/*", async (c, next) => {
    const res = await files(c, next);
    if (!(res instanceof Response)) return res;
    res.headers.set("access-control-allow-origin", "*");
    res.headers.set("cross-origin-resource-policy", "cross-origin");
    res.headers.set("cache-control", "no-cache");
    return res;
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** A host page on its own origin: `/?widget=<origin>&relay=<origin>` embeds the widget from `widget`. */
async function hostServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    res.writeHead(200, { "content-type": "text/html" });
    res.end(
      `<!doctype html><html><head><script type="module" src="${q.get("widget")}/voice-agent.js"></script></head><body><voice-agent relay-url="${q.get("relay")}" agent="demo"></voice-agent></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Loads the page, starts the widget, reloads and starts it again, in one fresh browser context. */
async function visits(browser: Browser, pageUrl: string): Promise<Visits> {
  const context = await browser.newContext();
  const page = await context.newPage();
  let bytes = 0;
  const loaded = new Set<string>();
  const sizes: Promise<unknown>[] = [];
  // The page's and its Workers' requests (the VAD loads in the audio loop's Worker). Sizes as received:
  // the encoded body plus headers; nothing when served from the HTTP cache.
  page.on("requestfinished", (request) => {
    const name = new URL(request.url()).pathname.slice(1);
    if (!vadFiles.includes(name)) return;
    loaded.add(name);
    sizes.push(request.sizes().then((s) => (bytes += s.responseBodySize + s.responseHeadersSize)));
  });
  const visit = async (go: () => Promise<unknown>) => {
    bytes = 0;
    loaded.clear();
    await go();
    const widget = page.locator("voice-agent");
    // As a visitor: the launcher (the default layout) opens the panel, then Start.
    await widget.locator("[part=launcher]").click();
    await widget.getByRole("button", { name: "Start" }).click();
    // The state leaves `initializing` once the relay session is open and the audio engine (VAD included) started.
    await page.waitForFunction(
      () => ["listening", "responding", "error"].includes(document.querySelector("voice-agent")?.getAttribute("data-state") ?? ""),
      undefined,
      { timeout: 60_000 },
    );
    const state = await widget.getAttribute("data-state");
    if (state === "error") throw new Error(`the widget failed to start: ${await widget.locator("[part=error]").textContent()}`);
    // A file the network log did not see would count as 0 bytes.
    for (let waited = 0; loaded.size < vadFiles.length && waited < 5000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    const unseen = vadFiles.filter((f) => !loaded.has(f));
    if (unseen.length > 0) throw new Error(`the page's network log did not see ${unseen.join(", ")} load`);
    await Promise.all(sizes.splice(0));
    return bytes / 1024;
  };
  const first = await visit(() => page.goto(pageUrl));
  const repeat = await visit(() => page.reload());
  await context.close();
  return { first, repeat };
}

const host = await hostServer();
const agents = join(mkdtempSync(join(tmpdir(), "download-bench-agents-")), "agents.json");
const example = JSON.parse(readFileSync(new URL("../../relay/agents.json", import.meta.url), "utf8")) as {
  agents: { id: string; allowedOrigins: string[] }[];
};
writeFileSync(
  agents,
  JSON.stringify({ agents: example.agents.filter((a) => a.id === "demo").map((a) => ({ ...a, allowedOrigins: [host.url] })) }),
);
const processes: ManagedProcess[] = [];
const dirs: string[] = [];
const rows: BenchRow[] = [];
let browser: Browser | undefined;
try {
  const standin = await startStandin({ port: await freePort(), output: "quiet" });
  processes.push(standin);
  const relay = await startRelay({
    port: await freePort(),
    standinUrl: `${standin.url}/v1`,
    agentsFile: agents,
    env: { WIDGET_DIR: dist },
    output: "quiet",
  });
  processes.push(relay);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: fakeMicArgs(fixture("silence.wav")) });

  const measured: Record<"plain" | "old" | "pruned" | "brotli" | "relay", Visits> = {} as never;
  const steps = [
    ["plain", distCopy({ gzip: false, model: publishedVadModel() })],
    ["old", distCopy({ gzip: true, model: publishedVadModel() })],
    ["pruned", distCopy({ gzip: true })],
    ["brotli", dist],
  ] as const;
  for (const [step, dir] of steps) {
    if (dir !== dist) dirs.push(dir);
    const server = await oldWidgetServer(dir);
    try {
      measured[step] = await visits(browser, `${host.url}/?widget=${server.url}&relay=${relay.url}`);
    } finally {
      server.close();
    }
  }
  measured.relay = await visits(browser, `${host.url}/?widget=${relay.url}&relay=${relay.url}`);

  const note = (v: Visits) => `first ${v.first.toFixed(0)} KB, repeat ${v.repeat.toFixed(0)} KB`;
  rows.push(
    {
      key: "vad_first_visit_kb",
      name: "VAD download, first visit (model + WASM + glue, through the relay)",
      unit: "KB",
      value: measured.relay.first,
      baseline: measured.old.first,
      note: "baseline: published two-rate model, gzip; target ≤ 3072",
    },
    {
      key: "vad_repeat_visit_kb",
      name: "VAD download, reload with a warm HTTP cache",
      unit: "KB",
      value: measured.relay.repeat,
      baseline: measured.old.repeat,
      note: "baseline: the same files no-cache (the relay answered no revalidation); target 0",
    },
    {
      name: "VAD download as the relay sent it before issue 14 (no encoding)",
      unit: "KB",
      value: measured.plain.first,
      note: note(measured.plain),
    },
    {
      name: "VAD download step 1: 16 kHz graph only (gzip, no-cache)",
      unit: "KB",
      value: measured.pruned.first,
      baseline: measured.old.first,
      note: note(measured.pruned),
    },
    {
      name: "VAD download step 2: brotli (16 kHz graph, no-cache)",
      unit: "KB",
      value: measured.brotli.first,
      baseline: measured.pruned.first,
      note: note(measured.brotli),
    },
    {
      name: "VAD download step 3: hashed names, immutable (the relay)",
      unit: "KB",
      value: measured.relay.repeat,
      baseline: measured.brotli.repeat,
      note: `repeat visit; ${note(measured.relay)}`,
    },
  );
  await writeBenchResults("download", rows);
} finally {
  await browser?.close();
  await Promise.all(processes.map((p) => p.kill()));
  host.server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
