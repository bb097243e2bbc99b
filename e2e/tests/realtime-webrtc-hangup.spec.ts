/**
 * The relay hangs up a WebRTC call (`POST /v1/realtime/calls/{id}/hangup` from the call's sideband) at its
 * session's end (`brief`: 20 s sessions) and when it idles (`idling`: 5 s without an event). The stand-in
 * records the hang-up of that call; the widget sees its call end (`reconnecting`), opens a new session and a
 * new call that gets the conversation so far, and listens again with its history on screen; the relay's
 * records end the call in the first session and start one in a later session of the same conversation.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import type { RecordedRealtimeCall } from "@voice-agent/standin";
import { fixture, withFakeMic } from "../chromium.ts";
import { clearStandinRequests } from "../journeys/standin-log.ts";
import { conversationId, realtimeCalls, startRealtime } from "../realtime-page.ts";
import { recordsOfConversation, type SessionDetail } from "../records.ts";
import { attachLogOnFailure, expectState, vaLog, waitForStates } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav"), { webrtc: true }) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

/** A session's realtime calls as its records tell them (`call`, then `ended:<reason>`), and its messages' roles. */
const callsOf = (s: SessionDetail) => ({
  calls: s.events
    .filter((e) => e.type === "realtime-call" || e.type === "realtime-call-ended")
    .map((e) => (e.type === "realtime-call" ? "call" : `ended:${String(e.payload.reason)}`)),
  messages: s.messages.map((m) => m.role),
});

/**
 * After the relay hung up `first`: the widget went through `reconnecting` back to `listening` once, with
 * `history` (the list's texts) still shown; the stand-in has the hang-up of `first` (after its reply played
 * whole) and a second call, made after it and up, that got the conversation so far (both messages) before
 * anything else. Returns both calls.
 */
async function expectBackOnNewCall(
  page: Page,
  widget: Locator,
  first: RecordedRealtimeCall,
  history: string[],
): Promise<[RecordedRealtimeCall, RecordedRealtimeCall]> {
  await waitForStates(page, ["listening", "reconnecting", "listening"], 30_000);
  const log = await vaLog(page);
  expect(log.errors).toEqual([]);
  expect(log.states).toEqual(["initializing", "listening", "thinking", "responding", "listening", "reconnecting", "listening"]);
  await expect(widget.locator("li[data-role]")).toHaveText(history);

  const calls = await realtimeCalls();
  expect(calls).toHaveLength(2);
  const [ended, next] = calls as [RecordedRealtimeCall, RecordedRealtimeCall];
  expect(ended).toMatchObject({ callId: first.callId, endedBy: "hangup", endedAt: expect.any(Number) });
  // The reply had played whole: the hang-up cut no audio.
  expect(ended.responses!.map((r) => r.end)).toEqual(["done"]);
  expect(next.callId).toMatch(/^rtc_standin_/);
  expect(next.callId).not.toBe(first.callId);
  expect(next.time).toBeGreaterThanOrEqual(ended.endedAt!);
  expect(next.sidebands).toBe(1);
  expect(next.endedAt).toBeUndefined();
  // The new call has the conversation so far: the visitor's turn and the reply, as items, first.
  expect(next.events.filter((type) => type !== "session.update").slice(0, 2)).toEqual([
    "conversation.item.create",
    "conversation.item.create",
  ]);
  return [ended, next];
}

/**
 * Starts the widget on `agent` over WebRTC and waits for the mic's one spoken turn to be answered; returns
 * the list's texts (the turn and its reply) and the stand-in's (one) call, still up.
 */
async function spokenTurn(page: Page, agent: string): Promise<{ widget: Locator; history: string[]; first: RecordedRealtimeCall }> {
  await clearStandinRequests();
  const widget = await startRealtime(page, agent, "webrtc");
  const reply = widget.locator('li[data-role="assistant"]');
  await expect(reply).toHaveText([/^This is the offline demo\. You said: I spoke for \d+\.\d seconds\.$/], { timeout: 20_000 });
  await expectState(widget, "listening");
  const history = await widget.locator("li[data-role]").allTextContents();
  expect(history).toHaveLength(2);
  expect(history[0]).toMatch(/^I spoke for \d+\.\d seconds\.$/);
  const calls = await realtimeCalls();
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({ transport: "webrtc", callId: expect.stringMatching(/^rtc_standin_/) });
  expect(calls[0]!.endedAt).toBeUndefined();
  return { widget, history, first: calls[0]! };
}

test("at the session's end the relay hangs up the call; the widget reconnects on a new session and call, its history intact", async ({
  page,
}) => {
  // The turn is over by some 14 s into the 20 s session (the call opens up to 5 s in): the call is still up.
  const { widget, history, first } = await spokenTurn(page, "brief");
  const [ended] = await expectBackOnNewCall(page, widget, first, history);

  const conversation = await conversationId(page);
  await expect
    .poll(async () => (await recordsOfConversation(conversation)).map(callsOf).filter((s) => s.calls.length > 0), { timeout: 10_000 })
    .toEqual([
      { calls: ["call", "ended:session_expired"], messages: ["user", "assistant"] },
      { calls: ["call"], messages: [] },
    ]);
  // Hung up at the first session's end (its records' lapse time: its 120 s idle timeout cannot come first), not before.
  const [session] = await recordsOfConversation(conversation);
  const end = session!.session.expiresAt;
  expect(end - session!.session.createdAt).toBeGreaterThan(19_000);
  expect(end - session!.session.createdAt).toBeLessThanOrEqual(20_000);
  expect(ended.endedAt!).toBeGreaterThanOrEqual(end);
  expect(ended.endedAt! - end).toBeLessThan(1500);
  const hungUp = session!.events.find((e) => e.type === "realtime-call-ended")!;
  expect(hungUp.at).toBeGreaterThanOrEqual(end);
  expect(hungUp.at - end).toBeLessThan(1500);
});

test("the relay hangs up a call idle for the agent's idle timeout; the widget reconnects on a new session and call, its history intact", async ({
  page,
}) => {
  const { widget, history, first } = await spokenTurn(page, "idling");
  const [ended] = await expectBackOnNewCall(page, widget, first, history);

  const conversation = await conversationId(page);
  const withCalls = async () => (await recordsOfConversation(conversation)).map(callsOf).filter((s) => s.calls.length > 0);
  await expect
    .poll(async () => (await withCalls())[0], { timeout: 10_000 })
    .toEqual({ calls: ["call", "ended:session_idle"], messages: ["user", "assistant"] });
  // The new call is a later session's (which idles out in turn, 5 s after its last event).
  const sessions = (await recordsOfConversation(conversation)).filter((s) => callsOf(s).calls.length > 0);
  expect(sessions).toHaveLength(2);
  expect(callsOf(sessions[1]!).calls[0]).toBe("call");
  // Hung up 5 s after the call's last event, the reply's audio stopping (its text ended before, by at most its audio).
  const replyEnd = sessions[0]!.messages.find((m) => m.role === "assistant")!.endAt!;
  const audioMs = ended.responses!.find((r) => r.end === "done")!.sentAudioMs;
  expect(ended.endedAt! - replyEnd).toBeGreaterThanOrEqual(5000);
  expect(ended.endedAt! - replyEnd).toBeLessThan(5000 + audioMs + 1500);
});
