/**
 * Test-side view of a `<voice-agent>` on a page: every `va-*` event the element dispatches is kept in
 * `window.vaLog` from before the page's scripts run, so a test can assert the exact sequence.
 */
import { expect, type Locator, type Page } from "@playwright/test";

/** What `window.vaLog` holds. */
export interface VaLog {
  /** `va-state` kinds in order (`error:<code>` for errors). */
  states: string[];
  errors: { code: string; message: string; fatal: boolean }[];
  transcripts: { role: string; text: string; final: boolean; messageId: string }[];
  playback: { replyId: number; playedFrames: number; playedMs: number; peak: number; underruns: number }[];
  metrics: Record<string, unknown>[];
  interruptions: { messageId: string; replyId: number; playedMs: number; heardText: string; fullText: string }[];
  /** Content-Security-Policy violations on the page. */
  csp: { directive: string; blocked: string }[];
}

/** Installs the event log on every document the page loads. Call before `page.goto`. */
export async function recordWidgetEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const log = { states: [], errors: [], transcripts: [], playback: [], metrics: [], interruptions: [], csp: [] } as unknown as VaLog;
    (window as unknown as { vaLog: VaLog }).vaLog = log;
    const on = (name: string, push: (detail: never) => void) => document.addEventListener(name, (e) => push((e as CustomEvent).detail as never));
    on("va-state", (d: { kind: string; code?: string }) => log.states.push(d.kind === "error" ? `error:${d.code}` : d.kind));
    on("va-error", (d: VaLog["errors"][number]) => log.errors.push(d));
    on("va-transcript", (d: VaLog["transcripts"][number]) => log.transcripts.push(d));
    on("va-playback", (d: VaLog["playback"][number]) => log.playback.push(d));
    on("va-metrics", (d: Record<string, unknown>) => log.metrics.push(d));
    on("va-interruption", (d: VaLog["interruptions"][number]) => log.interruptions.push(d));
    document.addEventListener("securitypolicyviolation", (e) => log.csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
  });
}

/** The log so far. */
export function vaLog(page: Page): Promise<VaLog> {
  return page.evaluate(() => (window as unknown as { vaLog: VaLog }).vaLog);
}

/** Waits until the element's `data-state` is `kind` (e.g. `listening`, `error`). */
export async function expectState(widget: Locator, kind: string, timeout = 30_000): Promise<void> {
  await expect(widget).toHaveAttribute("data-state", kind, { timeout });
}

/** Waits until the log's states end with `tail` (e.g. `["thinking", "responding", "listening"]`). */
export async function waitForStates(page: Page, tail: string[], timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (tail) => (window as unknown as { vaLog: VaLog }).vaLog.states.slice(-tail.length).join() === tail.join(),
    tail,
    { timeout },
  );
}

/**
 * Points the page's element at another relay or agent and sets its `.config`, before the visitor
 * starts it (the element reads them on `start()`).
 */
export async function configureWidget(page: Page, options: { relayUrl?: string; agent?: string; config?: Record<string, unknown> }): Promise<void> {
  await page.evaluate(async (options) => {
    await customElements.whenDefined("voice-agent");
    const el = document.querySelector("voice-agent") as HTMLElement & { config: Record<string, unknown> };
    if (options.relayUrl) el.setAttribute("relay-url", options.relayUrl);
    if (options.agent) el.setAttribute("agent", options.agent);
    if (options.config) el.config = { ...el.config, ...options.config };
  }, options);
}

/**
 * Opens the panel as a visitor does, with a click on the floating launcher (the default layout), unless it
 * is open already; resolves once the text box shows.
 */
export async function openPanel(widget: Locator): Promise<void> {
  const launcher = widget.locator("[part=launcher]");
  if ((await launcher.getAttribute("aria-expanded")) === "false") await launcher.click();
  await expect(widget.getByRole("textbox")).toBeVisible();
}

/** Types `text` into the composer and sends it. */
export async function sendText(widget: Locator, text: string): Promise<void> {
  await widget.getByRole("textbox").fill(text);
  await widget.getByRole("button", { name: "Send" }).click();
}

/** Attaches the widget's event log to the test's report when it fails (what the widget went through). */
export async function attachLogOnFailure(page: Page, testInfo: { status?: string; expectedStatus: string; attach(name: string, options: { body: string; contentType: string }): Promise<void> }): Promise<void> {
  if (testInfo.status === testInfo.expectedStatus) return;
  const log = await vaLog(page).catch(() => undefined);
  if (!log) return;
  const body = JSON.stringify({ states: log.states, errors: log.errors });
  console.log(`va-log: ${body}`);
  await testInfo.attach("va-log", { body, contentType: "application/json" });
}
