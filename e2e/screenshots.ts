/**
 * `pnpm screenshots`: the README's pictures in `docs/images/`, from a real conversation on the demo page
 * (the offline stand-in, a spoken turn from a WAV fixture through Chromium's fake microphone, then a
 * typed one): the launcher closed and open, the panel in the page, dark mode, the records page with the
 * session. Starts its own stand-in, relay and demo page (ports of `E2E_PORT_BASE`, see stack-ports.ts).
 * Not part of `pnpm test`.
 */
import { chromium, expect, type Locator, type Page } from "@playwright/test";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { startStack } from "../scripts/stack.ts";
import { tempDatabaseUrl, writeAgentsFile } from "./agents-file.ts";
import { fixture, withFakeMic } from "./chromium.ts";
import { E2E } from "./stack-ports.ts";
import { expectState, openPanel, sendText } from "./widget-page.ts";

const out = fileURLToPath(new URL("../docs/images/", import.meta.url));
const assistantLines = (widget: Locator) => widget.locator('li[data-role="assistant"]');

const stack = await startStack({
  relayPort: E2E.shotsRelayPort,
  demoPort: E2E.shotsDemoPort,
  standinPort: E2E.shotsStandinPort,
  offline: true,
  agentsFile: await writeAgentsFile({ origins: [E2E.shotsDemoUrl] }),
  relayEnv: { ADMIN_TOKEN: E2E.adminToken, DATABASE_URL: await tempDatabaseUrl(), RECORDS_FLUSH_MS: "50" },
  output: "quiet",
});
const browser = await chromium.launch(withFakeMic(fixture("after-greeting.wav")));
try {
  await mkdir(out, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 880, height: 700 }, colorScheme: "light", reducedMotion: "reduce" });
  const shot = (name: string, target: Page | Locator = page) => target.screenshot({ path: `${out}${name}.png` });
  await page.goto(stack.demoUrl);
  const widget = page.locator("voice-agent");

  // A spoken turn (the fixture's question comes once the greeting has played), then a typed one.
  await openPanel(widget);
  await widget.getByRole("button", { name: "Start" }).click();
  await expect(assistantLines(widget).nth(1)).toContainText("offline demo", { ignoreCase: true, timeout: 60_000 });
  await expectState(widget, "listening");
  await sendText(widget, "Do you have the green tent in stock?");
  await expect(assistantLines(widget).nth(2)).toContainText("green tent", { timeout: 30_000 });
  await expectState(widget, "listening");
  await shot("launcher-open");
  await page.emulateMedia({ colorScheme: "dark" });
  await shot("dark");
  await page.emulateMedia({ colorScheme: "light" });
  await page.keyboard.press("Escape");
  await shot("launcher-closed");
  await openPanel(widget);
  await widget.getByRole("button", { name: "Stop" }).click();

  // The same conversation in the inline layout, resumed: the panel alone.
  await page.goto(`${stack.demoUrl}/?layout=inline`);
  await expect(assistantLines(widget)).toHaveCount(3);
  await widget.getByRole("button", { name: "Start" }).click();
  await expectState(widget, "listening");
  await shot("panel", widget);
  await widget.getByRole("button", { name: "Stop" }).click();

  await page.goto(`${stack.demoUrl}/records.html#token=${E2E.adminToken}`);
  // The oldest session is the conversation's spoken and typed turns.
  await page.locator("#sessions tr").last().click();
  await expect(page.locator("#detail")).toContainText("This is the offline demo. You said: Do you have the green tent in stock?");
  await shot("records");
  console.log(`screenshots: written to ${out}`);
} finally {
  await browser.close();
  await stack.stop();
}
