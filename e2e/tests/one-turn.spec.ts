/**
 * Journey 1: the visitor speaks one sentence into the fake mic; the stand-in gets a 16 kHz mono WAV as
 * long as the spoken part; the greeting and the reply text appear, each reply sentence is spoken as
 * soon as it is complete, and the widget returns to listening. The relay's records (admin API) hold
 * the same transcript, in one session of the same conversation, with per-stage timings.
 */
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { fixture, withFakeMic } from "../chromium.ts";
import { E2E } from "../stack-ports.ts";
import { recordsOfConversation } from "../records.ts";
import { openPanel } from "../widget-page.ts";

const speech = JSON.parse(readFileSync(fixture("after-greeting.json"), "utf8")) as { speechStartMs: number; speechEndMs: number };

test.use({ launchOptions: withFakeMic(fixture("after-greeting.wav")) });

interface Recorded {
  route: string;
  sampleRate?: number;
  channels?: number;
  durationMs?: number;
  messages?: { role: string; content: string }[];
  input?: string;
}

test("one spoken turn end to end", async ({ page }) => {
  await fetch(`${E2E.standinUrl}/__standin/requests`, { method: "DELETE" });
  // Nothing the page loads is missing (a favicon 404 included).
  const missing: string[] = [];
  page.on("response", (response) => void (response.status() === 404 && missing.push(response.url())));
  await page.goto(E2E.demoUrl);
  await page.evaluate(() => customElements.whenDefined("voice-agent"));
  await page.evaluate(() => {
    const log = { states: [] as string[], playback: [] as unknown[], level: 0 };
    (window as unknown as { vaLog: typeof log }).vaLog = log;
    const el = document.querySelector("voice-agent")!;
    // The launcher's sign: the highest microphone level it showed.
    const sign = el.shadowRoot!.querySelector<HTMLElement>("[part=launcher-sign]")!;
    new MutationObserver(() => (log.level = Math.max(log.level, Number(sign.style.getPropertyValue("--va-level"))))).observe(sign, { attributeFilter: ["style"] });
    el.addEventListener("va-state", (e) => log.states.push((e as CustomEvent<{ kind: string }>).detail.kind));
    el.addEventListener("va-playback", (e) => log.playback.push((e as CustomEvent).detail));
  });
  const widget = page.locator("voice-agent");
  await openPanel(widget);
  await widget.getByRole("button", { name: "Start" }).click();
  await expect(widget.getByText("Offline demo upstream")).toBeVisible();

  // The greeting is spoken first (the fixture's question starts after 14 s of silence, once the greeting
  // has played); then the reply (second assistant line) streams in and is spoken sentence by sentence.
  const greeting = widget.locator('li[data-role="assistant"]').nth(0);
  const reply = widget.locator('li[data-role="assistant"]').nth(1);
  await expect(reply).toContainText("offline demo", { ignoreCase: true, timeout: 40_000 });
  await page.waitForFunction(() => (window as unknown as { vaLog: { states: string[] } }).vaLog.states.length >= 6, null, { timeout: 30_000 });
  await expect(widget).toHaveAttribute("data-state", "listening");
  await expect(widget.locator("[part=launcher-sign]")).toHaveAttribute("data-sign", "listening");
  expect(missing).toEqual([]);
  // Headless Chromium asks for no favicon; a visitor's browser does, so the page names one that exists.
  const icon = await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href);
  expect((await fetch(icon ?? `${E2E.demoUrl}/favicon.ico`)).status).toBe(200);

  const log = await page.evaluate(() => (window as unknown as { vaLog: { states: string[]; playback: { playedFrames: number; peak: number }[]; level: number } }).vaLog);
  expect(log.level).toBeGreaterThan(0.3);
  expect(log.states).toEqual(["initializing", "responding", "listening", "thinking", "responding", "listening"]);
  expect(log.playback).toHaveLength(2); // the greeting, then the reply
  const replyPlayback = log.playback.at(-1)!;
  expect(replyPlayback.playedFrames).toBeGreaterThan(0);
  expect(replyPlayback.peak).toBeGreaterThan(0.05);

  const requests = (await (await fetch(`${E2E.standinUrl}/__standin/requests`)).json()) as Recorded[];
  const stt = requests.filter((r) => r.route === "transcription");
  expect(stt).toHaveLength(1);
  expect(stt[0]!.sampleRate).toBe(16_000);
  expect(stt[0]!.channels).toBe(1);
  const spokenMs = speech.speechEndMs - speech.speechStartMs;
  expect(Math.abs(stt[0]!.durationMs! - spokenMs)).toBeLessThanOrEqual(300);

  const chat = requests.find((r) => r.route === "chat")!;
  expect(chat.messages![0]!.role).toBe("system");
  // The greeting, then the reply, each sent to TTS sentence by sentence, in order, nothing else.
  const tts = requests.filter((r) => r.route === "speech").map((r) => r.input!);
  expect(tts.join(" ")).toBe(`${await greeting.textContent()} ${await reply.textContent()}`);
  expect(tts.length).toBeGreaterThan(2);
  // The model's context holds the whole greeting (it was heard in full) before the visitor's question.
  expect(chat.messages!.find((m) => m.role === "assistant")?.content).toBe(await greeting.textContent());

  // The same transcript in the relay's records, with timings.
  const history = await page.evaluate(() => (document.querySelector("voice-agent") as unknown as { exportHistory(): Promise<{ conversations: { id: string }[]; messages: { role: string; text: string }[] }> }).exportHistory());
  expect(history.conversations).toHaveLength(1);
  const widgetLines = await widget.locator("li[data-role]").evaluateAll((lis) => lis.map((li) => ({ role: li.getAttribute("data-role"), text: li.textContent!.trim() })));
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
