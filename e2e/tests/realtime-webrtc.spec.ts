/**
 * `<voice-agent mode="realtime" transport="webrtc">` in Chromium, the call started either way: the relay
 * creates it with the stand-in's WebRTC peer, or the widget does with an ephemeral key the relay minted. The
 * mic goes on the call's track (no appended audio), the reply plays from the remote track, both transcripts
 * land in the history and the relay's records of a `realtime` session. The barge-in is
 * `realtime-webrtc-barge-in.spec.ts`.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { clearStandinRequests } from "../journeys/standin-log.ts";
import { conversationId, realtimeCalls, startRealtime } from "../realtime-page.ts";
import { recordsOfConversation } from "../records.ts";
import { installRtcProbe, remoteAudio, rtcProbe } from "../webrtc-probe.ts";
import { attachLogOnFailure, expectState, vaLog } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav"), { webrtc: true }) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

/** The two ways to start the call: the relay creates it with its key (`demo`), or the widget with an ephemeral key (`direct`). */
for (const [agent, start] of [
  ["demo", "relay"],
  ["direct", "direct"],
] as const) {
  test(`a spoken realtime turn over WebRTC (started by the ${start === "relay" ? "relay" : "widget with an ephemeral key"}): the mic on the track, the reply heard from the remote track, transcripts in history and records`, async ({
    page,
  }) => {
    await clearStandinRequests();
    await installRtcProbe(page);
    const widget = await startRealtime(page, agent, "webrtc");
    const reply = widget.locator('li[data-role="assistant"]').first();
    await expect(reply).toHaveText(/^This is the offline demo\. You said: I spoke for \d+\.\d seconds\.$/, { timeout: 40_000 });
    await expectState(widget, "listening");
    const log = await vaLog(page);
    expect(log.errors).toEqual([]);
    expect(log.states).toEqual(["initializing", "listening", "thinking", "responding", "listening"]);
    const user = widget.locator('li[data-role="user"]').first();
    await expect(user).toHaveText(/^I spoke for \d+\.\d seconds\.$/);

    // The reply was heard: the remote track carried audio with energy, and played all the stand-in sent.
    const [call] = await realtimeCalls();
    expect(call).toMatchObject({ transport: "webrtc", callId: expect.stringMatching(/^rtc_standin_/) });
    expect(call!.events).not.toContain("input_audio_buffer.append");
    expect(call!.events).toContain("input_audio_buffer.commit");
    expect(call!.micAudioMs).toBeGreaterThan(2000);
    // The relay holds a sideband of the call it created; a call started with a key has none (nothing on the relay sees it).
    if (start === "relay") expect(call!.sidebands).toBeGreaterThanOrEqual(1);
    else expect(call!.sidebands ?? 0).toBe(0);
    const sent = call!.responses!.find((r) => r.end === "done")!;
    // Once the jitter buffer has drained, the remote track played out exactly what the stand-in sent: the
    // counter the widget's heard ms come from (jitterBufferEmittedCount) counts real audio only.
    await expect
      .poll(async () => Math.abs((await remoteAudio(page)).playedMs - sent.sentAudioMs), { timeout: 5000 })
      .toBeLessThanOrEqual(20);
    expect((await remoteAudio(page)).energy).toBeGreaterThan(0.01);
    expect((await rtcProbe(page)).sent.map((e) => e.type)).not.toContain("input_audio_buffer.append");

    // The records: from the relay's sideband, or from the widget's reports of what its data channel carried.
    const conversation = await conversationId(page);
    const texts = [await user.textContent(), await reply.textContent()];
    await expect
      .poll(
        async () => {
          const [session] = await recordsOfConversation(conversation);
          return session && { mode: session.session.mode, messages: session.messages.map((m) => [m.role, m.text]) };
        },
        { timeout: 10_000 },
      )
      .toEqual({
        mode: "realtime",
        messages: [
          ["user", texts[0]],
          ["assistant", texts[1]],
        ],
      });
    const [session] = await recordsOfConversation(conversation);
    expect(session!.events.some((e) => e.type === "realtime-call")).toBe(start === "relay");
  });
}
