/** The demo page with its widget in realtime mode, as the realtime tests drive it. */
import type { Locator, Page } from "@playwright/test";
import { E2E } from "./stack-ports.ts";
import { configureWidget, openPanel, recordWidgetEvents } from "./widget-page.ts";

/** The demo page's widget in realtime mode, started as a visitor does. */
export async function startRealtime(page: Page): Promise<Locator> {
  await recordWidgetEvents(page);
  await page.goto(E2E.demoUrl);
  await page.evaluate(() => document.querySelector("voice-agent")!.setAttribute("mode", "realtime"));
  await configureWidget(page, { config: { greet: false } });
  const widget = page.locator("voice-agent");
  await openPanel(widget);
  await widget.getByRole("button", { name: "Start" }).click();
  return widget;
}

/** The id of the widget's (one) local conversation, which its sessions' records carry. */
export const conversationId = async (page: Page) =>
  (
    await page.evaluate(() =>
      (
        document.querySelector("voice-agent") as unknown as { exportHistory(): Promise<{ conversations: { id: string }[] }> }
      ).exportHistory(),
    )
  ).conversations[0]!.id;
