/**
 * The visitor's view of the demo's `<voice-agent>` in any engine: each helper is one step or one reading
 * of the page through a {@link BrowserDriver} (shadow DOM reached from a page script, clicks and keys as
 * real input).
 */
import { expect } from "@playwright/test";
import type { BrowserDriver } from "../engines/browser-driver.ts";
import type { VaLog } from "../engines/page-probe.ts";

/** A control of the element, by its `part` name (`start`, `send`, `input`, ...). */
export type Part = "launcher" | "start" | "send" | "input" | "talk" | "mute";

/** One transcript line as shown. */
export interface Line {
  role: string;
  text: string;
}

/** Clicks the element's control `part` with the real pointer (scrolled into view first; it must be visible there). */
export function clickPart(driver: BrowserDriver, part: Part): Promise<void> {
  return clickTarget(driver, { part });
}

/** Clicks the first element of the page matching `selector` whose text contains `hasText`. */
export function clickElement(driver: BrowserDriver, selector: string, hasText = ""): Promise<void> {
  return clickTarget(driver, { selector, hasText });
}

async function clickTarget(driver: BrowserDriver, target: { part: string } | { selector: string; hasText: string }): Promise<void> {
  const point = await driver.evaluate(async (target) => {
    let element: HTMLElement | undefined;
    if ("part" in target) {
      await customElements.whenDefined("voice-agent");
      element = document.querySelector("voice-agent")?.shadowRoot?.querySelector<HTMLElement>(`[part~="${target.part}"]`) ?? undefined;
    } else {
      element = Array.from(document.querySelectorAll<HTMLElement>(target.selector)).find((e) => e.textContent?.includes(target.hasText));
    }
    if (!element) return "missing";
    element.scrollIntoView({ block: "center" });
    const box = element.getBoundingClientRect();
    const root = element.getRootNode() as Document | ShadowRoot;
    // Its centre, or its left end when the centre is clipped (a wide table row in a scrolling box):
    // the first point where a click really lands on it.
    const y = box.y + box.height / 2;
    for (const x of [box.x + box.width / 2, box.x + Math.min(8, box.width / 2)]) {
      const hit = root.elementFromPoint(x, y);
      if (hit && element.contains(hit)) return { x, y };
    }
    return "covered";
  }, target);
  if (typeof point === "string") throw new Error(`cannot click ${JSON.stringify(target)}: ${point}`);
  await driver.click(point);
}

/**
 * Opens the panel as a visitor does, with a click on the floating launcher (the default layout), unless it
 * is open already; resolves once the text box shows.
 */
export async function openPanel(driver: BrowserDriver): Promise<void> {
  const expanded = await driver.evaluate(async () => {
    await customElements.whenDefined("voice-agent");
    return document.querySelector("voice-agent")?.shadowRoot?.querySelector("[part~=launcher]")?.getAttribute("aria-expanded") ?? null;
  }, undefined);
  if (expanded === "false") await clickPart(driver, "launcher");
  const inputShown = () =>
    driver.evaluate(() => {
      const input = document.querySelector("voice-agent")?.shadowRoot?.querySelector<HTMLElement>("[part~=input]");
      return input ? input.getBoundingClientRect().height > 0 : false;
    }, undefined);
  await expect.poll(inputShown, { message: "the panel's text box shows" }).toBe(true);
}

/** Types `text` into the composer and clicks Send. */
export async function sendText(driver: BrowserDriver, text: string): Promise<void> {
  await clickPart(driver, "input");
  await driver.type(text);
  await clickPart(driver, "send");
}

/** The transcript lines shown, in order. */
export function lines(driver: BrowserDriver): Promise<Line[]> {
  return driver.evaluate(() => {
    const items = document.querySelector("voice-agent")?.shadowRoot?.querySelectorAll("li[data-role]") ?? [];
    return Array.from(items).map((li) => ({ role: li.getAttribute("data-role")!, text: li.textContent!.trim() }));
  }, undefined);
}

/** Text of the element's part `name` (e.g. `offline-label`, `error`), or `null` when not shown. */
export function partText(driver: BrowserDriver, name: string): Promise<string | null> {
  return driver.evaluate(
    (name) => document.querySelector("voice-agent")?.shadowRoot?.querySelector(`[part~="${name}"]`)?.textContent?.trim() ?? null,
    name,
  );
}

/** The element's `data-state`. */
export function widgetState(driver: BrowserDriver): Promise<string | null> {
  return driver.evaluate(() => document.querySelector("voice-agent")?.getAttribute("data-state") ?? null, undefined);
}

/** Waits until the element's `data-state` is `kind`. */
export async function expectState(driver: BrowserDriver, kind: string, timeout = 30_000): Promise<void> {
  await expect.poll(() => widgetState(driver), { timeout, message: `data-state ${kind}` }).toBe(kind);
}

/** The page's event log (installed by the driver's probe). */
export function vaLog(driver: BrowserDriver): Promise<VaLog> {
  return driver.evaluate(() => (window as unknown as { vaLog: VaLog }).vaLog, undefined);
}

/** Waits until the log's states end with `tail` (e.g. `["thinking", "responding", "listening"]`). */
export async function waitForStates(driver: BrowserDriver, tail: string[], timeout = 30_000): Promise<void> {
  await expect.poll(async () => (await vaLog(driver)).states.slice(-tail.length), { timeout }).toEqual(tail);
}

/** Outcomes of the page's `getUserMedia` calls (`granted` or the error's name), in order. */
export function micCalls(driver: BrowserDriver): Promise<string[]> {
  return driver.evaluate(() => (window as unknown as { micCalls: string[] }).micCalls, undefined);
}

/** What the element's `exportHistory()` returns, as far as the journeys read it. */
export interface HistoryView {
  conversations: {
    id: string;
    messages: { id: string; role: string; text: string; interrupted?: boolean; heardText?: string; audioMs?: number }[];
  }[];
}

/** The element's local history (IndexedDB), through its public `exportHistory()`. */
export function exportHistory(driver: BrowserDriver): Promise<HistoryView> {
  return driver.evaluate(
    () => (document.querySelector("voice-agent") as unknown as { exportHistory(): Promise<HistoryView> }).exportHistory(),
    undefined,
  );
}

/** Sets the element's agent and `.config` before the visitor starts it (it reads them on `start()`). */
export async function configureWidget(driver: BrowserDriver, options: { agent?: string; config?: Record<string, unknown> }): Promise<void> {
  await driver.evaluate(async (options) => {
    await customElements.whenDefined("voice-agent");
    const el = document.querySelector("voice-agent") as HTMLElement & { config: Record<string, unknown> };
    if (options.agent) el.setAttribute("agent", options.agent);
    if (options.config) el.config = { ...el.config, ...options.config };
  }, options);
}
