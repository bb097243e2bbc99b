/**
 * Journey 5: failures. Each ends in the documented state and error code (widget README), and the page
 * recovers without a reload once the cause is gone. They run against their own relay (same stand-in),
 * which the tests stop, kill and reconfigure: `STREAM_IDLE_SECONDS=2` so a stalled upstream is cut
 * fast, `TOKEN_TTL_SECONDS=10` so a conversation outlives several tokens. The microphone is live but
 * hears silence; turns are typed, so each failure hits a known request.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { startRelay, type ManagedProcess } from "../../scripts/stack.ts";
import { tempDatabaseUrl, writeAgentsFile } from "../agents-file.ts";
import { fixture, withFakeMic } from "../chromium.ts";
import { clearStandinRequests } from "../journeys/standin-log.ts";
import { realtimeCalls } from "../realtime-page.ts";
import { E2E } from "../stack-ports.ts";
import {
  attachLogOnFailure,
  configureWidget,
  expectState,
  recordWidgetEvents,
  sendText,
  vaLog,
  waitForStates,
  openPanel,
} from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("silence.wav")) });

let relay: ManagedProcess | undefined;
let agentsFile: string;
const relayOptions = async () => ({
  port: E2E.faultRelayPort,
  standinUrl: `${E2E.standinUrl}/v1`,
  agentsFile,
  env: {
    RELAY_TOKEN_SECRET: "e2e-fault-relay-secret-0123456789abcdef",
    TOKEN_TTL_SECONDS: "10",
    STREAM_IDLE_SECONDS: "2",
    SESSIONS_PER_IP_PER_MINUTE: "1000",
    ADMIN_TOKEN: E2E.adminToken,
    DATABASE_URL: await tempDatabaseUrl(),
  },
  output: process.env.E2E_VERBOSE ? ("inherit" as const) : ("quiet" as const),
});

test.beforeAll(async () => {
  agentsFile = await writeAgentsFile({ origins: [E2E.demoUrl] });
});
/** Each test starts with the fault relay up and its agents file at the default (except the first). */
async function relayUp(): Promise<ManagedProcess> {
  if (!relay) relay = await startRelay(await relayOptions());
  else if (!relay.running) await relay.start();
  return relay;
}
test.afterAll(async () => {
  await relay?.kill();
});
test.afterEach(async ({ page }, testInfo) => {
  await attachLogOnFailure(page, testInfo);
  await fetch(`${E2E.standinUrl}/__standin/faults`, { method: "DELETE" });
});

/** The demo page with its widget pointed at the fault relay; quick reconnects, renewal 3 s before expiry, no greeting (journey 1 covers it). */
async function openWidget(page: Page, agent = "demo", mode = "cascade"): Promise<Locator> {
  await recordWidgetEvents(page);
  await page.goto(E2E.demoUrl);
  await configureWidget(page, {
    relayUrl: E2E.faultRelayUrl,
    agent,
    mode,
    config: { reconnectDelaysMs: [250, 500, 1000, 1000, 1000], refreshLeadMs: 3000, greet: false },
  });
  const widget = page.locator("voice-agent");
  await openPanel(widget);
  return widget;
}

const arm = (fault: object) =>
  fetch(`${E2E.standinUrl}/__standin/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });

/** A typed turn that must complete: its reply (the stand-in echoes the text) is shown and the widget listens again. */
async function typedTurn(page: Page, widget: Locator, text: string): Promise<void> {
  await sendText(widget, text);
  await expect(widget.locator('li[data-role="assistant"]').last()).toHaveText(`This is the offline demo. You said: ${text}`, {
    timeout: 20_000,
  });
  await expectState(widget, "listening");
}

/** Starts (or restarts) the conversation and waits until it listens. */
async function start(widget: Locator): Promise<void> {
  await widget.getByRole("button", { name: "Start" }).click();
  await expectState(widget, "listening");
}

test("relay down at start: relay-unreachable, then Start works once it is up", async ({ page }) => {
  await relay?.kill();
  const widget = await openWidget(page);
  await widget.getByRole("button", { name: "Start" }).click();
  await expectState(widget, "error");
  await expect(widget.getByRole("alert")).toContainText("relay-unreachable");
  expect((await vaLog(page)).errors).toEqual([{ code: "relay-unreachable", message: expect.any(String), fatal: true }]);

  await relayUp();
  await start(widget);
  await typedTurn(page, widget, "Are you there now?");
  await expect(widget.getByRole("alert")).toHaveCount(0);
});

// When the relay dies while the reply streams, reading the response body fails: that is relay-unreachable.
test("relay killed mid-reply: reconnecting, then listening again when it is back", async ({ page }) => {
  await relayUp();
  const widget = await openWidget(page);
  await start(widget);
  // A slow reply, so that the relay dies while it streams.
  await arm({ route: "chat", kind: "slow", delayMs: 400 });
  await sendText(widget, "Tell me about your tents");
  await expect(widget.locator('[data-interim][data-role="assistant"]')).toContainText("This is", { timeout: 15_000 });
  await relay!.kill("SIGKILL");
  await expectState(widget, "reconnecting", 10_000);
  await relay!.start();
  await expectState(widget, "listening", 15_000);
  await typedTurn(page, widget, "And sleeping bags?");
  const log = await vaLog(page);
  expect(log.states).toContain("reconnecting");
  expect(log.states.filter((s) => s.startsWith("error"))).toEqual([]);
});

test("realtime: relay killed while a reply plays: reconnecting, then a new call that knows the conversation so far", async ({ page }) => {
  await relayUp();
  await clearStandinRequests();
  const widget = await openWidget(page, "demo", "realtime");
  await start(widget);
  await sendText(widget, "Tell me about your tents");
  await expectState(widget, "responding", 15_000);
  await page.waitForTimeout(1000); // a part of the reply (about 4 s) is heard
  await relay!.kill("SIGKILL");
  await expectState(widget, "reconnecting", 10_000);
  await relay!.start();
  await expectState(widget, "listening", 15_000);
  await typedTurn(page, widget, "And sleeping bags?");
  expect((await vaLog(page)).states.filter((s) => s.startsWith("error"))).toEqual([]);
  await expect(widget.locator('li[data-role="user"]')).toHaveText(["Tell me about your tents", "And sleeping bags?"]);
  // The second call was given the first turn (the question and the part of the reply that was heard) before the new one.
  const calls = await realtimeCalls();
  expect(calls).toHaveLength(2);
  const events = calls[1]!.events;
  expect(events.slice(0, events.indexOf("response.create")).filter((type) => type === "conversation.item.create")).toHaveLength(3);
});

test("realtime: a reply the provider fails, then a provider socket that drops: upstream error each time, then Start continues", async ({
  page,
}) => {
  await relayUp();
  const widget = await openWidget(page, "demo", "realtime");
  await start(widget);
  await arm({ route: "realtime-call", kind: "error" });
  await sendText(widget, "What time is it?");
  await expectState(widget, "error");
  await expect(widget.getByRole("alert")).toContainText("upstream");
  await start(widget);
  await arm({ route: "realtime-call", kind: "drop", afterChunks: 1 });
  await sendText(widget, "What time is it now?");
  await expectState(widget, "error");
  await start(widget);
  await typedTurn(page, widget, "And now?");
  expect((await vaLog(page)).errors).toEqual([
    { code: "upstream", message: expect.stringContaining("injected"), fatal: true },
    { code: "upstream", message: expect.any(String), fatal: true },
  ]);
  await expect(widget.locator('li[data-role="user"]')).toHaveText(["What time is it?", "What time is it now?", "And now?"]);
});

test("upstream error: upstream error state, then Start continues the conversation", async ({ page }) => {
  await relayUp();
  const widget = await openWidget(page);
  await start(widget);
  await arm({ route: "chat", kind: "error", status: 500 });
  await sendText(widget, "What time is it?");
  await expectState(widget, "error");
  await expect(widget.getByRole("alert")).toContainText("upstream");
  expect((await vaLog(page)).errors).toEqual([{ code: "upstream", message: expect.stringContaining("500"), fatal: true }]);

  await start(widget);
  await typedTurn(page, widget, "What time is it now?");
});

test("upstream stalls mid-stream: the relay cuts it after STREAM_IDLE_SECONDS, upstream error, then recovery", async ({ page }) => {
  await relayUp();
  const widget = await openWidget(page);
  await start(widget);
  await fetch(`${E2E.standinUrl}/__standin/requests`, { method: "DELETE" });
  await arm({ route: "chat", kind: "stall", afterChunks: 3 });
  const sent = Date.now();
  await sendText(widget, "Is the shop open on Sunday?");
  await expectState(widget, "error", 10_000);
  const waited = Date.now() - sent;
  expect(waited).toBeGreaterThanOrEqual(2000);
  const log = await vaLog(page);
  expect(log.errors).toEqual([{ code: "upstream", message: expect.any(String), fatal: true }]);
  // The relay gave up on the upstream: the stand-in saw its stalled stream closed.
  const chatAborted = async () =>
    ((await (await fetch(`${E2E.standinUrl}/__standin/requests`)).json()) as { route: string; aborted?: boolean }[]).find(
      (r) => r.route === "chat",
    )?.aborted;
  await expect.poll(chatAborted).toBe(true);

  await start(widget);
  await typedTurn(page, widget, "Is the shop open on Monday?");
});

test("token expiry during a long conversation: the same session's token is refreshed before each expiry, no error", async ({ page }) => {
  await relayUp();
  const widget = await openWidget(page);
  const sessionsOpened: number[] = [];
  const refreshes: number[] = [];
  page.on("request", (request) => {
    if (request.method() !== "POST") return;
    const path = new URL(request.url()).pathname;
    if (path === "/v1/sessions") sessionsOpened.push(Date.now());
    if (path === "/v1/sessions/refresh") refreshes.push(Date.now());
  });
  await start(widget);
  const started = Date.now();
  await typedTurn(page, widget, "First question.");
  // Past the first token's lifetime (10 s) and two renewals (3 s before each expiry).
  await page.waitForTimeout(Math.max(0, started + 15_000 - Date.now()));
  await typedTurn(page, widget, "Second question, much later.");
  const log = await vaLog(page);
  expect(log.errors).toEqual([]);
  expect(log.states.filter((s) => s === "reconnecting" || s.startsWith("error"))).toEqual([]);
  expect(sessionsOpened).toHaveLength(1);
  expect(refreshes.length).toBeGreaterThanOrEqual(2);
});

test("origin not on the allowlist: origin-not-allowed, then Start works once the relay allows it", async ({ page }) => {
  await relayUp();
  const widget = await openWidget(page, "locked");
  await widget.getByRole("button", { name: "Start" }).click();
  await expectState(widget, "error");
  await expect(widget.getByRole("alert")).toContainText("origin-not-allowed");
  expect((await vaLog(page)).errors).toEqual([{ code: "origin-not-allowed", message: expect.any(String), fatal: true }]);

  // The site owner adds the page's origin to the agent and restarts the relay.
  await writeAgentsFile({ origins: [E2E.demoUrl], lockedOrigins: [E2E.demoUrl], file: agentsFile });
  await relay!.kill();
  await relay!.start();
  await start(widget);
  await typedTurn(page, widget, "Hello from an allowed site.");
  await waitForStates(page, ["thinking", "responding", "listening"]);
});
