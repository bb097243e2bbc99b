/**
 * What a site owner configures on the server, end to end in Chromium: the visitor asks by voice, the
 * relay calls the owner's order API (a server tool) inside the reply, and the widget speaks the answer
 * built from its result; when the visitor hangs up, the relay analyses the session in the background, the
 * admin API returns the stored analysis, and the owner's receiver gets `session.ended` and
 * `analysis.completed`, each verified with the Standard Webhooks library.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { fixture, withFakeMic } from "../chromium.ts";
import { recordsOfConversation } from "../records.ts";
import { conversationId } from "../realtime-page.ts";
import { E2E } from "../stack-ports.ts";
import { attachLogOnFailure, configureWidget, expectState, openPanel, recordWidgetEvents, vaLog } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav")) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

const ORDER = { order: "A-1042", status: "shipped", eta: "Friday" };

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A webhook as the owner's receiver got it: headers and the raw body. */
interface Received {
  headers: Record<string, string>;
  body: string;
}

test("a spoken question answered from the owner's API, then the session's analysis and verified webhooks", async ({ page }) => {
  const calls: { method: string; url: string; body: string }[] = [];
  const api = createServer(async (req, res) => {
    calls.push({ method: req.method ?? "", url: req.url ?? "", body: await body(req) });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ORDER));
  });
  const received: Received[] = [];
  const hooks = createServer(async (req, res) => {
    received.push({ headers: req.headers as Record<string, string>, body: await body(req) });
    res.writeHead(204).end();
  });
  api.listen(E2E.ownerApiPort, "127.0.0.1");
  hooks.listen(E2E.ownerHooksPort, "127.0.0.1");
  await Promise.all([once(api, "listening"), once(hooks, "listening")]);
  try {
    await recordWidgetEvents(page);
    await page.goto(E2E.demoUrl);
    await configureWidget(page, { agent: "owner", config: { greet: false } });
    const widget = page.locator("voice-agent");
    await openPanel(widget);
    await widget.getByRole("button", { name: "Start" }).click();

    const reply = widget.locator('li[data-role="assistant"]').first();
    await expect(reply).toHaveText(`The tool returned: ${JSON.stringify(ORDER)}.`, { timeout: 40_000 });
    await expectState(widget, "listening");
    expect(calls).toEqual([{ method: "POST", url: "/orders/lookup", body: "{}" }]);
    const log = await vaLog(page);
    expect(log.errors).toEqual([]);
    expect(log.playback.at(-1)!.peak).toBeGreaterThan(0.05);
    const question = (await widget.locator('li[data-role="user"]').first().textContent())!.trim();
    expect(question).toMatch(/^I spoke for \d+\.\d seconds\.$/);

    // The visitor hangs up: the session ends, and the relay analyses it in the background.
    await widget.getByRole("button", { name: "Stop" }).click();
    await expectState(widget, "ended");
    const conversation = await conversationId(page);
    await expect.poll(async () => (await recordsOfConversation(conversation))[0]?.analysis?.status, { timeout: 20_000 }).toBe("done");
    const [record] = await recordsOfConversation(conversation);
    expect(record!.session.status).toBe("completed");
    const call = record!.messages.flatMap((m) => m.toolCalls ?? [])[0];
    expect(call).toMatchObject({ name: "spoke", runs: "server", outcome: "ok", status: 200, result: JSON.stringify(ORDER) });
    expect(record!.analysis).toMatchObject({ status: "done", attempts: 1, model: "analyst", error: null });
    expect(record!.analysis!.usage!.promptTokens).toBeGreaterThan(0);
    expect(record!.analysis!.result).toMatchObject({
      outcome: "resolved",
      answers: { said: { quote: question, confidence: 0.5 } },
      scores: { helpfulness: { score: 3 } },
    });

    // The owner's receiver: both events, each signed (verified by an independent implementation).
    await expect.poll(() => received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    const webhook = new Webhook(E2E.ownerWebhookSecret);
    const events = received.map((r) => webhook.verify(r.body, r.headers) as { type: string; data: Record<string, unknown> });
    expect(events.map((e) => e.type).sort()).toEqual(["analysis.completed", "session.ended"]);
    const ended = events.find((e) => e.type === "session.ended")!;
    expect(ended.data).toMatchObject({ sessionId: record!.session.id, agent: "owner", status: "completed" });
    const analysed = events.find((e) => e.type === "analysis.completed")!;
    expect(analysed.data).toEqual({
      sessionId: record!.session.id,
      agent: "owner",
      result: record!.analysis!.result,
      model: "analyst",
      usage: record!.analysis!.usage,
      completedAt: record!.analysis!.completedAt,
    });
    const tampered = { ...received[0]!, body: received[0]!.body.replace("owner", "other") };
    expect(() => webhook.verify(tampered.body, tampered.headers)).toThrow();
    // The admin API shows both deliveries as delivered, at the first attempt.
    await expect
      .poll(async () => (await recordsOfConversation(conversation))[0]?.webhooks?.map((w) => [w.event, w.status, w.attempts.length]).sort())
      .toEqual([
        ["analysis.completed", "delivered", 1],
        ["session.ended", "delivered", 1],
      ]);
  } finally {
    api.close();
    hooks.close();
  }
});
