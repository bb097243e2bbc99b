/**
 * `<voice-agent mode="realtime">` in Chromium, through the relay's realtime WebSocket to the stand-in's:
 * the visitor's turn (the widget's own end of turn) as appended audio, the reply's audio played, both
 * transcripts in the history and in the relay's records of a `realtime` session.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { recordsOfConversation } from "../records.ts";
import { E2E } from "../stack-ports.ts";
import { attachLogOnFailure, configureWidget, expectState, openPanel, recordWidgetEvents, vaLog } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav")) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

test("a spoken realtime turn through the relay: reply heard, transcripts in history and records", async ({ page }) => {
  await recordWidgetEvents(page);
  await page.goto(E2E.demoUrl);
  await page.evaluate(() => document.querySelector("voice-agent")!.setAttribute("mode", "realtime"));
  await configureWidget(page, { config: { greet: false } });
  const widget = page.locator("voice-agent");
  await openPanel(widget);
  await widget.getByRole("button", { name: "Start" }).click();

  const reply = widget.locator('li[data-role="assistant"]').first();
  await expect(reply).toHaveText(/^This is the offline demo\. You said: I spoke for \d\.\d seconds\.$/, { timeout: 40_000 });
  await expectState(widget, "listening");
  const log = await vaLog(page);
  expect(log.errors).toEqual([]);
  expect(log.states).toEqual(["initializing", "listening", "thinking", "responding", "listening"]);
  expect(log.playback.at(-1)!.peak).toBeGreaterThan(0.05);
  await expect(widget.locator('li[data-role="user"]').first()).toHaveText(/^I spoke for \d\.\d seconds\.$/);

  const { conversations } = await page.evaluate(() =>
    (document.querySelector("voice-agent") as unknown as { exportHistory(): Promise<{ conversations: { id: string }[] }> }).exportHistory(),
  );
  await expect
    .poll(
      async () => {
        const [session] = await recordsOfConversation(conversations[0]!.id);
        return session && { mode: session.session.mode, messages: session.messages.map((m) => m.role) };
      },
      { timeout: 10_000 },
    )
    .toEqual({ mode: "realtime", messages: ["user", "assistant"] });
});
