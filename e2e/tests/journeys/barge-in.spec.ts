/**
 * Journey 2, in every engine: barge-in. The visitor asks a question; while the reply is being spoken
 * (the `slow` agent speaks at half speed, so the reply plays from about 5 s to past 12 s of the fixture)
 * a second utterance starts at 9 s. Playback stops, the reply is stored as interrupted with the words
 * heard so far, a strict prefix of the full reply, in the widget's history and in the relay's records
 * (the widget's interruption report names the reply's record id), and the next LLM request carries only
 * the heard text.
 */
import { fixture } from "../../chromium.ts";
import { recordsOfConversation } from "../../records.ts";
import { E2E } from "../../stack-ports.ts";
import { expect, test } from "../../journeys/journey-test.ts";
import { clearStandinRequests, standinRequests } from "../../journeys/standin-log.ts";
import { clickPart, configureWidget, exportHistory, openPanel, vaLog } from "../../journeys/widget-driver.ts";

test.use({ mic: { wav: fixture("talk-over.wav") } });

const chatRequests = async () => (await standinRequests()).filter((r) => r.route === "chat");

test("barge-in: playback stops, the reply is kept as heard, and the model gets only the heard part", async ({ driver }) => {
  await clearStandinRequests();
  await driver.goto(E2E.demoUrl);
  await configureWidget(driver, { agent: "slow", config: { greet: false } });
  await openPanel(driver);
  await clickPart(driver, "start");

  // The second utterance (a barge-in) interrupts the reply, then becomes the next turn.
  await expect.poll(async () => (await vaLog(driver)).interruptions.length, { timeout: 30_000 }).toBe(1);
  await expect.poll(async () => (await chatRequests()).length, { timeout: 20_000 }).toBe(2);
  const log = await vaLog(driver);
  expect(log.errors).toEqual([]);
  const [interruption] = log.interruptions;
  const { heardText, fullText } = interruption!;
  expect(fullText).toMatch(/^This is the offline demo\. You said: I spoke for \d+\.\d seconds\.$/);
  expect(heardText.length).toBeGreaterThan(0);
  expect(heardText.length).toBeLessThan(fullText.length);
  expect(fullText.startsWith(heardText)).toBe(true);
  // Playback stopped: the reply was cut while it was being spoken and never reported as played out.
  expect(log.states).toEqual(["initializing", "listening", "thinking", "responding", "interrupted", "thinking", ...log.states.slice(6)]);
  expect(log.playback.filter((p) => p.replyId === interruption!.replyId)).toEqual([]);

  // The widget's history keeps the reply as interrupted, with what was heard.
  const history = await exportHistory(driver);
  expect(history.conversations).toHaveLength(1);
  const conversation = history.conversations[0]!;
  const reply = conversation.messages.find((m) => m.id === interruption!.messageId)!;
  expect(reply).toMatchObject({ role: "assistant", text: fullText, interrupted: true, heardText });
  expect(interruption!.playedMs).toBeGreaterThan(0);
  expect(interruption!.playedMs).toBeLessThan(reply.audioMs!);

  // The next LLM request carries the heard text, not the full reply.
  const [, next] = await chatRequests();
  const assistant = next!.messages!.filter((m) => m.role === "assistant");
  expect(assistant.map((m) => m.content)).toEqual([heardText]);

  // The relay's records: the same reply, patched by the widget's interruption report.
  await expect
    .poll(async () => (await recordsOfConversation(conversation.id))[0]?.messages.find((m) => m.role === "assistant")?.interrupted, {
      timeout: 10_000,
    })
    .toBe(true);
  const records = await recordsOfConversation(conversation.id);
  expect(records).toHaveLength(1);
  const recorded = records[0]!.messages.find((m) => m.role === "assistant")!;
  expect(recorded).toMatchObject({ text: fullText, interrupted: true, heardText });
  expect(records[0]!.events.filter((e) => e.type === "interruption")).toEqual([
    expect.objectContaining({ source: "widget", payload: expect.objectContaining({ messageId: recorded.id, heardText }) }),
  ]);
});
