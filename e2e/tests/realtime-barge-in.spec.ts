/**
 * Barge-in on a realtime reply in Chromium (the `slow` agent, half-speed replies): a question at 5 s, then the visitor talks over the reply at
 * 8.2 s. The widget silences the reply itself and tells the provider (through the relay) where the visitor
 * stopped hearing it; history and records keep the heard part.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { clearStandinRequests } from "../journeys/standin-log.ts";
import { conversationId, realtimeCalls, startRealtime } from "../realtime-page.ts";
import { recordsOfConversation } from "../records.ts";
import { attachLogOnFailure, vaLog } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("talk-over.wav")) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

test("barge-in on a realtime reply: the provider gets the truncation at the ms the visitor heard; history and records keep the heard part", async ({
  page,
}) => {
  await clearStandinRequests();
  // The `slow` agent speaks at half speed: its reply is still playing at the talk-over however loaded the
  // machine (at full speed it could end just before, and no barge-in happened).
  const widget = await startRealtime(page, "slow");
  await expect.poll(async () => (await vaLog(page)).interruptions.length, { timeout: 30_000 }).toBe(1);
  const [interruption] = (await vaLog(page)).interruptions;
  expect(interruption!.heardText.length).toBeGreaterThan(0);
  expect(interruption!.fullText.startsWith(interruption!.heardText)).toBe(true);
  expect(interruption!.heardText.length).toBeLessThan(interruption!.fullText.length);

  // What the provider was told the visitor heard, against the widget's playback clock.
  const truncations = (await realtimeCalls()).flatMap((r) => r.truncations);
  expect(truncations).toHaveLength(1);
  expect(Math.abs(truncations[0]!.audioEndMs - interruption!.playedMs)).toBeLessThanOrEqual(50);

  await expect(widget.locator("li[data-interrupted]")).toHaveCount(1);
  const conversation = await conversationId(page);
  await expect
    .poll(async () => (await recordsOfConversation(conversation))[0]?.messages.find((m) => m.role === "assistant")?.interrupted, {
      timeout: 10_000,
    })
    .toBe(true);
  const recorded = (await recordsOfConversation(conversation))[0]!.messages.find((m) => m.role === "assistant")!;
  expect(recorded.heardText!.length).toBeGreaterThan(0);
  expect(recorded.text.startsWith(recorded.heardText!)).toBe(true);
});
