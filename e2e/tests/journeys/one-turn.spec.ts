/**
 * Journey 1, in every engine: the visitor speaks one sentence into the microphone; the stand-in gets a
 * 16 kHz mono WAV as long as the spoken part; the greeting and the reply text appear, each reply
 * sentence is spoken as soon as it is complete, and the widget returns to listening. The relay's records
 * (admin API) hold the same transcript, in one session of the same conversation, with per-stage timings.
 */
import { readFileSync } from "node:fs";
import { fixture } from "../../chromium.ts";
import { recordsOfConversation } from "../../records.ts";
import { E2E } from "../../stack-ports.ts";
import { expect, test } from "../../journeys/journey-test.ts";
import { clearStandinRequests, standinRequests } from "../../journeys/standin-log.ts";
import { clickPart, exportHistory, lines, openPanel, partText, vaLog, widgetState } from "../../journeys/widget-driver.ts";

const speech = JSON.parse(readFileSync(fixture("after-greeting.json"), "utf8")) as { speechStartMs: number; speechEndMs: number };

test.use({ mic: { wav: fixture("after-greeting.wav") } });

test("one spoken turn end to end", async ({ driver }) => {
  await clearStandinRequests();
  await driver.goto(E2E.demoUrl);
  // The launcher's sign: the highest microphone level it showed.
  await driver.evaluate(async () => {
    await customElements.whenDefined("voice-agent");
    const sign = document.querySelector("voice-agent")!.shadowRoot!.querySelector<HTMLElement>("[part=launcher-sign]")!;
    const w = window as unknown as { signLevel: number };
    w.signLevel = 0;
    new MutationObserver(() => (w.signLevel = Math.max(w.signLevel, Number(sign.style.getPropertyValue("--va-level"))))).observe(sign, {
      attributeFilter: ["style"],
    });
    return null;
  }, undefined);
  await openPanel(driver);
  await clickPart(driver, "start");
  await expect.poll(() => partText(driver, "offline-label")).toBe("Offline demo upstream");

  // The greeting is spoken first (the fixture's question starts after 14 s of silence, once the greeting
  // has played); then the reply (second assistant line) streams in and is spoken sentence by sentence.
  const assistantLines = async () => (await lines(driver)).filter((l) => l.role === "assistant").map((l) => l.text);
  await expect.poll(async () => (await assistantLines())[1]?.toLowerCase(), { timeout: 40_000 }).toContain("offline demo");
  await expect.poll(async () => (await vaLog(driver)).states.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
  expect(await widgetState(driver)).toBe("listening");
  const sign = await driver.evaluate(
    () => ({
      kind: document.querySelector("voice-agent")!.shadowRoot!.querySelector("[part=launcher-sign]")!.getAttribute("data-sign"),
      level: (window as unknown as { signLevel: number }).signLevel,
    }),
    undefined,
  );
  expect(sign.kind).toBe("listening");
  expect(sign.level).toBeGreaterThan(0.3);
  const [greeting, reply] = await assistantLines();

  // Nothing the page loaded is missing (a favicon 404 included), where the engine's driver sees requests.
  // Headless Chromium asks for no favicon; a visitor's browser does (Firefox here), so the page names one that exists.
  expect(driver.requests?.().filter((r) => r.status === 404) ?? []).toEqual([]);
  const icon = await driver.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? null, undefined);
  expect((await fetch(icon ?? `${E2E.demoUrl}/favicon.ico`)).status).toBe(200);

  const log = await vaLog(driver);
  expect(log.errors).toEqual([]);
  expect(log.states).toEqual(["initializing", "responding", "listening", "thinking", "responding", "listening"]);
  expect(log.playback).toHaveLength(2); // the greeting, then the reply
  const replyPlayback = log.playback.at(-1)!;
  expect(replyPlayback.playedFrames).toBeGreaterThan(0);
  expect(replyPlayback.peak).toBeGreaterThan(0.05);

  const requests = await standinRequests();
  const stt = requests.filter((r) => r.route === "transcription");
  expect(stt).toHaveLength(1);
  expect(stt[0]!.sampleRate).toBe(16_000);
  expect(stt[0]!.channels).toBe(1);
  const spokenMs = speech.speechEndMs - speech.speechStartMs;
  expect(Math.abs(stt[0]!.durationMs! - spokenMs)).toBeLessThanOrEqual(300);

  const chat = requests.find((r) => r.route === "chat")!;
  expect(chat.messages![0]!.role).toBe("system");
  // The greeting, then the reply, each sent to TTS sentence by sentence, nothing else. The next sentence is
  // fetched while one plays, so two may reach the stand-in in either order.
  const tts = requests.filter((r) => r.route === "speech").map((r) => r.input!);
  const spoken = `${greeting} ${reply}`;
  for (const sentence of tts) expect(spoken).toContain(sentence);
  expect(tts.join(" ").length).toBe(spoken.length);
  expect(tts.length).toBeGreaterThan(2);
  // The model's context holds the whole greeting (it was heard in full) before the visitor's question.
  expect(chat.messages!.find((m) => m.role === "assistant")?.content).toBe(greeting);

  // The same transcript in the relay's records, with timings.
  const history = await exportHistory(driver);
  expect(history.conversations).toHaveLength(1);
  const widgetLines = await lines(driver);
  const before = Date.now();
  const records = await recordsOfConversation(history.conversations[0]!.id);
  expect(records).toHaveLength(1);
  const { session, messages } = records[0]!;
  expect(session).toMatchObject({ agent: "demo", origin: E2E.demoUrl, mode: "cascade", conversationId: history.conversations[0]!.id });
  // The relay records the whole conversation the visitor saw: the greeting (reported by the widget when
  // it spoke it, recorded with the agent's own text), the visitor's transcript and the model's reply.
  expect(messages.map((m) => ({ role: m.role, text: m.text }))).toEqual(widgetLines);
  const [greeted, user, assistant] = messages;
  expect(greeted!.id).toBe(`${session.id}:greeting`);
  expect(greeted!.startAt).toBeGreaterThanOrEqual(session.createdAt);
  expect(greeted!.startAt).toBeLessThan(user!.startAt!);
  expect(user!.latency.upstreamSttMs).toBeGreaterThan(0);
  expect(assistant!.latency.upstreamLlmFirstTokenMs).toBeGreaterThan(0);
  expect(assistant!.latency.upstreamLlmTotalMs).toBeGreaterThanOrEqual(assistant!.latency.upstreamLlmFirstTokenMs!);
  // One turn: the transcript and the reply carry the turn id the widget sent with both requests.
  expect(user!.utteranceId).toMatch(/^[0-9a-f-]{36}$/);
  expect(assistant!.utteranceId).toBe(user!.utteranceId);
  for (const m of [user!, assistant!]) {
    expect(m.startAt).toBeGreaterThanOrEqual(session.createdAt);
    expect(m.endAt).toBeGreaterThanOrEqual(m.startAt!);
    expect(m.endAt).toBeLessThanOrEqual(before);
  }
  expect(assistant!.startAt).toBeGreaterThanOrEqual(user!.endAt!);
});
