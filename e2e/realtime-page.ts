/** The demo page with its widget in realtime mode, as the realtime tests drive it. */
import type { Locator, Page } from "@playwright/test";
import type { RecordedRealtimeCall } from "@voice-agent/standin";
import { E2E } from "./stack-ports.ts";
import { configureWidget, openPanel, recordWidgetEvents } from "./widget-page.ts";

/**
 * The demo page's widget in realtime mode (with `agent`, default the page's; over `transport`, default the
 * WebSocket), started as a visitor does.
 */
export async function startRealtime(page: Page, agent?: string, transport?: "websocket" | "webrtc"): Promise<Locator> {
  await recordWidgetEvents(page);
  await page.goto(E2E.demoUrl);
  await configureWidget(page, {
    mode: "realtime",
    ...(agent ? { agent } : {}),
    ...(transport ? { transport } : {}),
    config: { greet: false },
  });
  const widget = page.locator("voice-agent");
  await openPanel(widget);
  await widget.getByRole("button", { name: "Start" }).click();
  return widget;
}

/** The realtime calls the stand-in received (since its log was last cleared), oldest first. */
export async function realtimeCalls(): Promise<RecordedRealtimeCall[]> {
  const requests = (await (await fetch(`${E2E.standinUrl}/__standin/requests`)).json()) as { route: string }[];
  return requests.filter((r): r is RecordedRealtimeCall => r.route === "realtime-call");
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
