/**
 * Test-side view of a `<voice-agent>` on a page: every `va-*` event the element dispatches is kept in
 * `window.vaLog` from before the page's scripts run, so a test can assert the exact sequence.
 */
import { expect, type Locator, type Page } from "@playwright/test";
import { installEventLog, type VaLog } from "./engines/page-probe.ts";

export type { VaLog };

/** Installs the event log on every document the page loads. Call before `page.goto`. */
export async function recordWidgetEvents(page: Page): Promise<void> {
  await page.addInitScript(installEventLog);
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
export async function configureWidget(
  page: Page,
  options: { relayUrl?: string; agent?: string; mode?: string; transport?: string; config?: Record<string, unknown> },
): Promise<void> {
  await page.evaluate(async (options) => {
    await customElements.whenDefined("voice-agent");
    const el = document.querySelector("voice-agent") as HTMLElement & { config: Record<string, unknown> };
    if (options.relayUrl) el.setAttribute("relay-url", options.relayUrl);
    if (options.agent) el.setAttribute("agent", options.agent);
    if (options.mode) el.setAttribute("mode", options.mode);
    if (options.transport) el.setAttribute("transport", options.transport);
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
export async function attachLogOnFailure(
  page: Page,
  testInfo: {
    status?: string;
    expectedStatus: string;
    attach(name: string, options: { body: string; contentType: string }): Promise<void>;
  },
): Promise<void> {
  if (testInfo.status === testInfo.expectedStatus) return;
  const log = await vaLog(page).catch(() => undefined);
  if (!log) return;
  const body = JSON.stringify({ states: log.states, errors: log.errors });
  console.log(`va-log: ${body}`);
  await testInfo.attach("va-log", { body, contentType: "application/json" });
}
