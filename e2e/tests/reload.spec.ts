/**
 * Journey 3: reload mid-conversation. After a turn, the page reloads: the transcript is back from local
 * history before the visitor starts again and before anything is asked of the relay; Start continues
 * the same conversation (the next LLM request carries the earlier turn), and the relay's records show
 * one conversation (same `conversationId`) across two sessions, the first ended by the page unloading.
 * The microphone is live but hears silence; turns are typed, so each reply answers a known request.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { recordsOfConversation } from "../records.ts";
import { E2E } from "../stack-ports.ts";
import { attachLogOnFailure, configureWidget, expectState, recordWidgetEvents, sendText, vaLog, openPanel } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("silence.wav")) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

interface Recorded {
  route: string;
  messages?: { role: string; content: string }[];
}

/** Starts (or continues) the conversation without a greeting and waits until it listens. */
async function start(page: Page): Promise<Locator> {
  await configureWidget(page, { config: { greet: false } });
  const widget = page.locator("voice-agent");
  await openPanel(widget);
  await widget.getByRole("button", { name: "Start" }).click();
  await expectState(widget, "listening");
  return widget;
}

async function typedTurn(widget: Locator, text: string): Promise<void> {
  await sendText(widget, text);
  await expect(widget.locator('li[data-role="assistant"]').last()).toHaveText(`This is the offline demo. You said: ${text}`, { timeout: 20_000 });
  await expectState(widget, "listening");
}

const lines = (widget: Locator) => widget.locator("li[data-role]").evaluateAll((lis) => lis.map((li) => `${li.getAttribute("data-role")}: ${li.textContent!.trim()}`));
const conversationIds = (page: Page) =>
  page.evaluate(async () => (await (document.querySelector("voice-agent") as unknown as { exportHistory(): Promise<{ conversations: { id: string }[] }> }).exportHistory()).conversations.map((c) => c.id));

test("reload mid-conversation: history restored at once, the conversation continues in a second session", async ({ page }) => {
  await fetch(`${E2E.standinUrl}/__standin/requests`, { method: "DELETE" });
  await recordWidgetEvents(page);
  await page.goto(E2E.demoUrl);
  let widget = await start(page);
  await typedTurn(widget, "My name is Ada.");
  const before = await lines(widget);
  expect(before).toEqual(["user: My name is Ada.", "assistant: This is the offline demo. You said: My name is Ada."]);
  const [conversationId] = await conversationIds(page);

  const sessionsOpened: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/v1/sessions") sessionsOpened.push(request.url());
  });
  await page.reload();
  widget = page.locator("voice-agent");
  // Restored from IndexedDB alone: shown before Start, with no relay session opened yet.
  await expect.poll(() => lines(widget), { timeout: 5_000 }).toEqual(before);
  expect((await vaLog(page)).states).toEqual([]);
  expect(sessionsOpened).toEqual([]);
  expect(await conversationIds(page)).toEqual([conversationId]);

  await start(page);
  await typedTurn(widget, "What is my name?");
  expect(await lines(widget)).toEqual([...before, "user: What is my name?", "assistant: This is the offline demo. You said: What is my name?"]);
  expect((await vaLog(page)).errors).toEqual([]);

  // The model's context after the reload holds the turn from before it.
  const chats = ((await (await fetch(`${E2E.standinUrl}/__standin/requests`)).json()) as Recorded[]).filter((r) => r.route === "chat");
  expect(chats).toHaveLength(2);
  expect(chats[1]!.messages!.filter((m) => m.role !== "system")).toEqual([
    { role: "user", content: "My name is Ada." },
    { role: "assistant", content: "This is the offline demo. You said: My name is Ada." },
    { role: "user", content: "What is my name?" },
  ]);

  // One conversation, two sessions: the first ended when the page unloaded, the second holds the new turn.
  await expect.poll(async () => (await recordsOfConversation(conversationId!))[0]?.session.endReason, { timeout: 10_000 }).toBe("unload");
  const records = await recordsOfConversation(conversationId!);
  expect(records).toHaveLength(2);
  const [first, second] = records;
  expect(first!.session.id).not.toBe(second!.session.id);
  for (const { session } of records) expect(session).toMatchObject({ agent: "demo", conversationId });
  // The relay records the replies it relayed (typed text never crosses it as a transcript).
  const replies = (detail: typeof first) => detail!.messages.filter((m) => m.role === "assistant").map((m) => m.text);
  expect(replies(first)).toEqual(["This is the offline demo. You said: My name is Ada."]);
  expect(replies(second)).toEqual(["This is the offline demo. You said: What is my name?"]);
});
