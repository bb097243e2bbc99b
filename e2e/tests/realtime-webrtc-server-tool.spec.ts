/**
 * A server tool in a WebRTC call the relay created (`owner` agent, `transport="webrtc"`): the model's call
 * shows on the browser's data channel, but the relay runs it (the owner's order API) from the call's
 * sideband and asks for the answer; the widget leaves the call alone and plays the answer as the same turn.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import { expect, test } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { clearStandinRequests } from "../journeys/standin-log.ts";
import { realtimeCalls, startRealtime } from "../realtime-page.ts";
import { E2E } from "../stack-ports.ts";
import { installRtcProbe, rtcProbe } from "../webrtc-probe.ts";
import { attachLogOnFailure, expectState, vaLog } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("one-turn.wav"), { webrtc: true }) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

const ORDER = { order: "A-1042", status: "shipped" };

test("a server tool over WebRTC: the relay runs it from the sideband, the page does not answer it, the answer is the same turn", async ({
  page,
}) => {
  const calls: string[] = [];
  const api = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(ORDER));
  });
  api.listen(E2E.ownerApiPort, "127.0.0.1");
  await once(api, "listening");
  try {
    await clearStandinRequests();
    await installRtcProbe(page);
    const widget = await startRealtime(page, "owner", "webrtc");
    const reply = widget.locator('li[data-role="assistant"]').first();
    await expect(reply).toHaveText(`The tool returned: ${JSON.stringify(ORDER)}.`, { timeout: 40_000 });
    await expectState(widget, "listening");
    expect(calls).toEqual(["POST /orders/lookup"]);
    const log = await vaLog(page);
    expect(log.errors).toEqual([]);
    expect(log.states).toEqual(["initializing", "listening", "thinking", "responding", "listening"]);
    await expect(widget.locator('li[data-role="assistant"]')).toHaveCount(1);

    // The page asked for one response (its turn's) and answered no call; the relay's answer reached the provider.
    const sent = (await rtcProbe(page)).sent.map((e) => e.type);
    expect(sent.filter((type) => type === "response.create")).toHaveLength(1);
    expect(sent).not.toContain("conversation.item.create");
    const [call] = await realtimeCalls();
    expect(call!.toolOutputs).toEqual([{ callId: expect.any(String), output: JSON.stringify(ORDER) }]);
  } finally {
    api.close();
  }
});
