/**
 * Barge-in on a realtime reply over WebRTC in Chromium (`<voice-agent mode="realtime" transport="webrtc">`): a
 * question at 1 s, then the visitor talks over the (half-speed) reply at 9 s. The widget's barge-in detector mutes the
 * reply's track at its hold, and at the confirmation sends `response.cancel`, `output_audio_buffer.clear` and
 * `conversation.item.truncate` with the ms the track had played out when it went silent (`getStats`), which
 * is checked against what the stand-in sent by then.
 */
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { clearStandinRequests } from "../journeys/standin-log.ts";
import { conversationId, realtimeCalls, startRealtime } from "../realtime-page.ts";
import { recordsOfConversation } from "../records.ts";
import { installRtcProbe, rtcProbe } from "../webrtc-probe.ts";
import { attachLogOnFailure, vaLog } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("talk-over.wav"), { webrtc: true }) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

for (const [agent, start] of [
  ["slow", "relay"],
  ["slow-direct", "direct"],
] as const)
  test(`barge-in over WebRTC (started by the ${start === "relay" ? "relay" : "widget with an ephemeral key"}): the reply is muted at the hold, cleared, and truncated at what the track played out`, async ({
    page,
  }) => {
    await clearStandinRequests();
    await installRtcProbe(page);
    // The `slow` agent speaks at half speed: its reply plays from about 5 s to past 12 s, so the talk-over at 9 s
    // lands inside it however fast the machine (at full speed the reply ended near 9 s).
    const widget = await startRealtime(page, agent, "webrtc");
    await expect.poll(async () => (await vaLog(page)).interruptions.length, { timeout: 30_000 }).toBe(1);
    const [interruption] = (await vaLog(page)).interruptions;
    expect(interruption!.heardText.length).toBeGreaterThan(0);
    expect(interruption!.fullText.startsWith(interruption!.heardText)).toBe(true);
    expect(interruption!.heardText.length).toBeLessThan(interruption!.fullText.length);
    await expect(widget.locator("li[data-interrupted]")).toHaveCount(1);

    const probe = await rtcProbe(page);
    const types = probe.sent.map((e) => e.type);
    expect(types.indexOf("response.cancel")).toBeGreaterThan(-1);
    expect(types.indexOf("output_audio_buffer.clear")).toBeGreaterThan(types.indexOf("response.cancel"));
    const truncate = probe.sent.find((e) => e.type === "conversation.item.truncate")!;
    const cleared = probe.sent.find((e) => e.type === "output_audio_buffer.clear")!;
    // The reply went silent at the hold (the last mute before the clear), before the confirmation.
    const mute = probe.mutes.filter((m) => m.muted && m.at <= cleared.at).at(-1)!;
    expect(mute).toBeDefined();

    await expect.poll(async () => (await realtimeCalls()).flatMap((r) => r.truncations).length, { timeout: 5000 }).toBe(1);
    const [call] = await realtimeCalls();
    expect(call!.truncations[0]!.audioEndMs).toBe(truncate.audioEndMs);
    expect(truncate.audioEndMs).toBe(Math.round(interruption!.playedMs));
    // What the stand-in sent when the cancel arrived, less what it sent while the reply was muted (paced in
    // real time), is what the visitor could hear: the truncation must be within 80 ms of it.
    // The interrupted reply is the call's first response. Cut by the cancel, it was sending until then; sent whole
    // before the cancel came (a barge-in near its end), all of it is the bound.
    const stopped = call!.responses![0]!;
    const sentAtMute = stopped.end === "done" ? stopped.sentAudioMs : stopped.sentAudioMs - (cleared.at - mute.at);
    // What Chromium's jitter buffer held at the mute (sent, not yet heard), ms: its delay per sample emitted
    // between the last two distinct readings before the mute (getStats answers from a cache for a few ms).
    const readings = probe.stats.filter((s, k, all) => s.at <= mute.at && s.emitted !== all[k - 1]?.emitted);
    const [a, b] = readings.slice(-2);
    const buffered = a && b ? ((b.jitterBufferDelay - a.jitterBufferDelay) / (b.emitted - a.emitted)) * 1000 : 0;
    const outputMs = (b?.playoutDelay ?? 0) * 1000;
    const rawError = truncate.audioEndMs! - sentAtMute;
    const error = truncate.audioEndMs! - (sentAtMute - buffered - outputMs);
    const description = `audio_end_ms ${truncate.audioEndMs}; stand-in sent ${stopped.sentAudioMs} ms by the cancel, ${Math.round(sentAtMute)} by the mute (${Math.round(cleared.at - mute.at)} ms earlier); jitter buffer ${Math.round(buffered)} ms + playout ${Math.round(outputMs)} ms; error vs sent ${Math.round(rawError)} ms, vs sent less the browser's buffers ${Math.round(error)} ms`;
    test.info().annotations.push({ type: "heard-ms", description });
    console.log(description);
    // Never more than the stand-in had sent when the reply went silent. (How much less is the audio the browser
    // still held: its jitter buffer, 150–1400 ms with the stand-in's bursty pacing, and the output; reported above.)
    expect(truncate.audioEndMs!).toBeGreaterThan(0);
    expect(truncate.audioEndMs!).toBeLessThanOrEqual(sentAtMute + 20);

    // Recorded as interrupted with the words heard: from the sideband's truncation, or from the widget's reports
    // (sent at a turn's end, or at the end: the visitor stops here).
    await widget.getByRole("button", { name: "Stop" }).click();
    const conversation = await conversationId(page);
    const recordedReply = async () => (await recordsOfConversation(conversation))[0]?.messages.find((m) => m.role === "assistant");
    await expect.poll(async () => (await recordedReply())?.interrupted, { timeout: 10_000 }).toBe(true);
    if (start === "direct") expect((await recordedReply())?.heardText).toBe(interruption!.heardText);
  });
