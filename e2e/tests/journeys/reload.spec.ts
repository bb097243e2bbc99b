/**
 * Journey 3, in every engine: reload mid-conversation. After a turn, the page reloads: the transcript
 * is back from local history (IndexedDB) before the visitor starts again and before any relay session
 * is opened; Start continues the same conversation (the next LLM request carries the earlier turn), and
 * the relay's records show one conversation (same `conversationId`) across two sessions, the first
 * ended by the page unloading. The microphone is live but hears silence; turns are typed, so each reply
 * answers a known request.
 */
import { recordsOfConversation } from "../../records.ts";
import { E2E } from "../../stack-ports.ts";
import type { BrowserDriver } from "../../engines/browser-driver.ts";
import { expect, test } from "../../journeys/journey-test.ts";
import { clearStandinRequests, standinRequests } from "../../journeys/standin-log.ts";
import { clickPart, configureWidget, expectState, exportHistory, lines, openPanel, sendText, vaLog } from "../../journeys/widget-driver.ts";

/** Starts (or continues) the conversation without a greeting and waits until it listens. */
async function start(driver: BrowserDriver): Promise<void> {
  await configureWidget(driver, { config: { greet: false } });
  await openPanel(driver);
  await clickPart(driver, "start");
  await expectState(driver, "listening");
}

async function typedTurn(driver: BrowserDriver, text: string): Promise<void> {
  await sendText(driver, text);
  await expect
    .poll(async () => (await lines(driver)).at(-1), { timeout: 20_000 })
    .toEqual({ role: "assistant", text: `This is the offline demo. You said: ${text}` });
  await expectState(driver, "listening");
}

const shown = async (driver: BrowserDriver) => (await lines(driver)).map((l) => `${l.role}: ${l.text}`);
const conversationIds = async (driver: BrowserDriver) => (await exportHistory(driver)).conversations.map((c) => c.id);

test("reload mid-conversation: history restored at once, the conversation continues in a second session", async ({ driver }) => {
  await clearStandinRequests();
  await driver.goto(E2E.demoUrl);
  await start(driver);
  await typedTurn(driver, "My name is Ada.");
  const before = await shown(driver);
  expect(before).toEqual(["user: My name is Ada.", "assistant: This is the offline demo. You said: My name is Ada."]);
  const [conversationId] = await conversationIds(driver);

  await driver.reload();
  // Restored from IndexedDB alone: shown before Start, with no second relay session opened. (The event
  // log is in place before the page's scripts in Chromium and Firefox, after `load` in WebKit.)
  await expect.poll(() => shown(driver), { timeout: 5_000 }).toEqual(before);
  expect((await vaLog(driver)).states).toEqual([]);
  expect(await conversationIds(driver)).toEqual([conversationId]);
  expect(await recordsOfConversation(conversationId!)).toHaveLength(1);

  await start(driver);
  await typedTurn(driver, "What is my name?");
  expect(await shown(driver)).toEqual([
    ...before,
    "user: What is my name?",
    "assistant: This is the offline demo. You said: What is my name?",
  ]);
  expect((await vaLog(driver)).errors).toEqual([]);

  // The model's context after the reload holds the turn from before it.
  const chats = (await standinRequests()).filter((r) => r.route === "chat");
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
