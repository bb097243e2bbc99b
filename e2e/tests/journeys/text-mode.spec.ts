/**
 * Journey 4, in every engine: the visitor refuses the microphone. `getUserMedia` rejects with
 * `NotAllowedError` (Chromium: a dismissed permission prompt; Firefox: the permission blocked by
 * preference; WebKit: the page's `getUserMedia` refuses, as its WebDriver cannot answer a prompt), the
 * widget ends in `error` with `mic-denied` and says typing still works; typed text then starts a
 * text-only conversation: the greeting and the reply are shown, nothing is synthesized, and the
 * microphone is never asked for again. The relay's records (the site owner's view, also on the records
 * page) hold the typed question once, before the reply.
 */
import { recordsOfConversation } from "../../records.ts";
import { E2E } from "../../stack-ports.ts";
import { expect, test } from "../../journeys/journey-test.ts";
import { clearStandinRequests, standinRequests } from "../../journeys/standin-log.ts";
import {
  clickElement,
  clickPart,
  expectState,
  exportHistory,
  lines,
  micCalls,
  openPanel,
  partText,
  sendText,
  vaLog,
  waitForStates,
} from "../../journeys/widget-driver.ts";

test.use({ mic: "denied" });

test("mic permission denied, then a typed conversation", async ({ driver }) => {
  // One question per engine: the records page lists the sessions of every engine's run.
  const question = `Do you sell tents to ${driver.engine} users?`;
  const reply = `This is the offline demo. You said: ${question}`;
  await clearStandinRequests();
  await driver.goto(E2E.demoUrl);
  await openPanel(driver);
  await clickPart(driver, "start");

  await expectState(driver, "error");
  expect(await partText(driver, "error")).toContain("You can type your message instead");
  expect(await partText(driver, "error")).toContain("mic-denied");
  expect(await micCalls(driver)).toEqual(["NotAllowedError"]);
  let log = await vaLog(driver);
  expect(log.errors).toEqual([{ code: "mic-denied", message: expect.any(String), fatal: true }]);
  expect(log.states).toEqual(["initializing", "error:mic-denied"]);

  await sendText(driver, question);
  await expect.poll(async () => (await lines(driver)).at(-1), { timeout: 20_000 }).toEqual({ role: "assistant", text: reply });
  await waitForStates(driver, ["thinking", "responding", "listening"]);
  const shown = await lines(driver);
  expect(shown.map((l) => l.role)).toEqual(["assistant", "user", "assistant"]);
  expect(shown[0]!.text).toContain("demo assistant");
  expect(shown[1]!.text).toBe(question);
  expect(await partText(driver, "error")).toBeNull();

  log = await vaLog(driver);
  expect(log.states.slice(0, 3)).toEqual(["initializing", "error:mic-denied", "initializing"]);
  expect(log.playback).toEqual([]);
  expect(await micCalls(driver)).toEqual(["NotAllowedError"]);
  const requests = await standinRequests();
  expect(requests.map((r) => r.route)).toEqual(["chat"]);
  expect(requests[0]!.messages!.at(-1)).toEqual({ role: "user", content: question });

  // The reply was fully received, so both messages are committed: no polling.
  const history = await exportHistory(driver);
  const records = await recordsOfConversation(history.conversations[0]!.id);
  // The greeting the visitor read (text mode shows it) is recorded too, with the agent's own text.
  expect(records.flatMap((r) => r.messages.map((m) => [m.role, m.text]))).toEqual([
    ["assistant", "Hi! I'm the demo assistant. What would you like to talk about?"],
    ["user", question],
    ["assistant", reply],
  ]);

  // The records page: a preview of the session (first visitor line, outcome, duration) and its events in words.
  await driver.goto(`${E2E.demoUrl}/records.html#token=${E2E.adminToken}`);
  const rows = () =>
    driver.evaluate(
      (question) => Array.from(document.querySelectorAll("#sessions tr")).filter((tr) => tr.textContent!.includes(question)).length,
      question,
    );
  await expect.poll(rows).toBe(1);
  await clickElement(driver, "#sessions tr", question);
  const detail = () => driver.evaluate(() => document.querySelector("#detail")?.textContent ?? "", undefined);
  await expect.poll(detail).toContain("widget: spoke the greeting");
  expect(await detail()).toContain(reply);
});
