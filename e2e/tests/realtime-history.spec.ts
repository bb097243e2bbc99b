/**
 * Realtime mode across a reload: the conversation is restored from IndexedDB, and the new call gives the
 * model the conversation so far before the visitor's next turn. Typed turns (the mic hears silence).
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { clearStandinRequests } from "../journeys/standin-log.ts";
import { realtimeCalls, startRealtime } from "../realtime-page.ts";
import { attachLogOnFailure, expectState, sendText } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("silence.wav")) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

test("reload restores a realtime conversation, and the next call continues it", async ({ page }) => {
  await clearStandinRequests();
  let widget = await startRealtime(page);
  await sendText(widget, "My name is Ada.");
  const replies = widget.locator('li[data-role="assistant"]');
  await expect(replies).toHaveText(["This is the offline demo. You said: My name is Ada."], { timeout: 20_000 });
  await expectState(widget, "listening");

  await page.reload();
  widget = await startRealtime(page);
  await expect(widget.locator("li[data-role]")).toHaveText(["My name is Ada.", "This is the offline demo. You said: My name is Ada."]);
  await sendText(widget, "What is my name?");
  await expect(replies).toHaveCount(2, { timeout: 20_000 });
  await expect(replies.last()).toHaveText("This is the offline demo. You said: What is my name?");

  const calls = await realtimeCalls();
  expect(calls).toHaveLength(2);
  // The restored turn (both sides), then the new question, then its response.
  expect(calls[1]!.events.filter((type) => type !== "session.update").slice(0, 4)).toEqual([
    "conversation.item.create",
    "conversation.item.create",
    "conversation.item.create",
    "response.create",
  ]);
});
