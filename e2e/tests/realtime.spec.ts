/**
 * `<voice-agent mode="realtime">` in Chromium, through the relay's realtime WebSocket to the stand-in's:
 * the visitor's turn (the widget's own end of turn, or the provider's turn detection on the streamed mic)
 * as appended audio, the reply's audio played, both transcripts in the history and in the relay's records
 * of a `realtime` session.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { clearStandinRequests } from "../journeys/standin-log.ts";
import { conversationId, realtimeCalls, startRealtime } from "../realtime-page.ts";
import { recordsOfConversation } from "../records.ts";
import { attachLogOnFailure, expectState, vaLog } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav")) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

test("a spoken realtime turn through the relay: reply heard, transcripts in history and records", async ({ page }) => {
  const widget = await startRealtime(page);
  const reply = widget.locator('li[data-role="assistant"]').first();
  await expect(reply).toHaveText(/^This is the offline demo\. You said: I spoke for \d\.\d seconds\.$/, { timeout: 40_000 });
  await expectState(widget, "listening");
  const log = await vaLog(page);
  expect(log.errors).toEqual([]);
  expect(log.states).toEqual(["initializing", "listening", "thinking", "responding", "listening"]);
  expect(log.playback.at(-1)!.peak).toBeGreaterThan(0.05);
  await expect(widget.locator('li[data-role="user"]').first()).toHaveText(/^I spoke for \d\.\d seconds\.$/);

  const conversation = await conversationId(page);
  await expect
    .poll(
      async () => {
        const [session] = await recordsOfConversation(conversation);
        return session && { mode: session.session.mode, messages: session.messages.map((m) => m.role) };
      },
      { timeout: 10_000 },
    )
    .toEqual({ mode: "realtime", messages: ["user", "assistant"] });
});

test("provider turns: the mic streams to the stand-in, whose server VAD ends the turn and answers", async ({ page }) => {
  await clearStandinRequests();
  const widget = await startRealtime(page, "vad");
  const reply = widget.locator('li[data-role="assistant"]').first();
  await expect(reply).toHaveText(/^This is the offline demo\. You said: I spoke for \d+\.\d seconds\.$/, { timeout: 40_000 });
  await expectState(widget, "listening");
  const log = await vaLog(page);
  expect(log.errors).toEqual([]);
  expect(log.states.slice(0, 5)).toEqual(["initializing", "listening", "thinking", "responding", "listening"]);
  expect(log.playback[0]!.peak).toBeGreaterThan(0.05);
  const [call] = await realtimeCalls();
  expect(call!.events).not.toContain("input_audio_buffer.commit"); // the provider committed the turn
  expect(call!.events.filter((type) => type === "input_audio_buffer.append").length).toBeGreaterThan(10);
});
