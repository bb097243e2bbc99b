/**
 * Journey 4: the visitor refuses the microphone. `getUserMedia` really rejects (a dismissed permission
 * prompt, `NotAllowedError`), the widget ends in `error` with `mic-denied` and says typing still works;
 * typed text then starts a text-only conversation: the greeting and the reply are shown, nothing is
 * synthesized, and the microphone is never asked for again. The relay's records (the site owner's view)
 * hold the typed question once, before the reply.
 */
import { expect, test } from "@playwright/test";
import { fixture, withMicPromptDenied } from "../chromium.ts";
import { recordsOfConversation } from "../records.ts";
import { E2E } from "../stack-ports.ts";
import { expectState, recordWidgetEvents, sendText, vaLog, waitForStates, openPanel } from "../widget-page.ts";

test.use({ launchOptions: withMicPromptDenied(fixture("one-turn.wav")), permissions: [] });

test("mic permission denied, then a typed conversation", async ({ page }) => {
  await fetch(`${E2E.standinUrl}/__standin/requests`, { method: "DELETE" });
  await recordWidgetEvents(page);
  // Observe (never alter) what the browser answers to the widget's microphone request.
  await page.addInitScript(() => {
    const calls: string[] = [];
    (window as unknown as { micCalls: string[] }).micCalls = calls;
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = (constraints) =>
      original(constraints).then(
        (stream) => (calls.push("granted"), stream),
        (error: DOMException) => {
          calls.push(error.name);
          throw error;
        },
      );
  });
  await page.goto(E2E.demoUrl);
  const widget = page.locator("voice-agent");
  await openPanel(widget);
  await widget.getByRole("button", { name: "Start" }).click();

  await expectState(widget, "error");
  await expect(widget.getByRole("alert")).toContainText("You can type your message instead");
  await expect(widget.getByRole("alert")).toContainText("mic-denied");
  expect(await page.evaluate(() => (window as unknown as { micCalls: string[] }).micCalls)).toEqual(["NotAllowedError"]);
  let log = await vaLog(page);
  expect(log.errors).toEqual([{ code: "mic-denied", message: expect.any(String), fatal: true }]);
  expect(log.states).toEqual(["initializing", "error:mic-denied"]);

  await sendText(widget, "Do you sell tents?");
  const reply = widget.locator('li[data-role="assistant"]').nth(1);
  await expect(reply).toHaveText("This is the offline demo. You said: Do you sell tents?", { timeout: 20_000 });
  await waitForStates(page, ["thinking", "responding", "listening"]);
  await expect(widget.locator('li[data-role="assistant"]').first()).toContainText("demo assistant");
  await expect(widget.locator('li[data-role="user"]')).toHaveText("Do you sell tents?");
  await expect(widget.getByRole("alert")).toHaveCount(0);

  log = await vaLog(page);
  expect(log.states.slice(0, 3)).toEqual(["initializing", "error:mic-denied", "initializing"]);
  expect(log.playback).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { micCalls: string[] }).micCalls)).toEqual(["NotAllowedError"]);
  const requests = (await (await fetch(`${E2E.standinUrl}/__standin/requests`)).json()) as { route: string; messages?: { role: string; content: string }[] }[];
  expect(requests.map((r) => r.route)).toEqual(["chat"]);
  expect(requests[0]!.messages!.at(-1)).toEqual({ role: "user", content: "Do you sell tents?" });

  // The reply was fully received, so both messages are committed: no polling.
  const history = await page.evaluate(() => (document.querySelector("voice-agent") as unknown as { exportHistory(): Promise<{ conversations: { id: string }[] }> }).exportHistory());
  const records = await recordsOfConversation(history.conversations[0]!.id);
  // The greeting the visitor read (text mode shows it) is recorded too, with the agent's own text.
  expect(records.flatMap((r) => r.messages.map((m) => [m.role, m.text]))).toEqual([
    ["assistant", "Hi! I'm the demo assistant. What would you like to talk about?"],
    ["user", "Do you sell tents?"],
    ["assistant", "This is the offline demo. You said: Do you sell tents?"],
  ]);

  // The records page: a preview of the session (first visitor line, outcome, duration) and its events in words.
  await page.goto(`${E2E.demoUrl}/records.html#token=${E2E.adminToken}`);
  const sessionRow = page.locator("#sessions tr", { hasText: "Do you sell tents?" });
  await expect(sessionRow).toHaveCount(1);
  await sessionRow.click();
  await expect(page.locator("#detail")).toContainText("widget: spoke the greeting");
  await expect(page.locator("#detail")).toContainText("This is the offline demo. You said: Do you sell tents?");
});
