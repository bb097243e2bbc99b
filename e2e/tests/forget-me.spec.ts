/**
 * Journey 6: "Forget me". After a conversation the visitor presses Forget me: the local history
 * (IndexedDB: conversations, messages and the visitor id) is empty, the relay's records of every
 * session of that visitor are gone (admin API), and Start begins a new conversation as a new visitor.
 * The microphone is live but hears silence; turns are typed.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { fixture, withFakeMic } from "../chromium.ts";
import { admin, recordsOfConversation } from "../records.ts";
import { E2E } from "../stack-ports.ts";
import { attachLogOnFailure, configureWidget, expectState, recordWidgetEvents, sendText, vaLog, openPanel } from "../widget-page.ts";

test.use({ launchOptions: withFakeMic(fixture("silence.wav")) });
test.afterEach(async ({ page }, testInfo) => attachLogOnFailure(page, testInfo));

/** Every row of the widget's IndexedDB database, by store. */
function localRows(page: Page): Promise<Record<string, unknown[]>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown[]>>((resolve, reject) => {
        const open = indexedDB.open("voice-agent");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = Array.from({ length: db.objectStoreNames.length }, (_, i) => db.objectStoreNames.item(i)!);
          const tx = db.transaction(names, "readonly");
          const rows: Record<string, unknown[]> = {};
          for (const name of names) {
            const all = tx.objectStore(name).getAll();
            all.onsuccess = () => (rows[name] = all.result);
          }
          tx.oncomplete = () => {
            db.close();
            resolve(rows);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

async function typedTurn(widget: Locator, text: string): Promise<void> {
  await sendText(widget, text);
  await expect(widget.locator('li[data-role="assistant"]').last()).toHaveText(`This is the offline demo. You said: ${text}`, {
    timeout: 20_000,
  });
  await expectState(widget, "listening");
}

test("forget me: local history and the relay's records of the visitor are gone, and the widget works again", async ({ page }) => {
  await recordWidgetEvents(page);
  const sessionIds: string[] = [];
  page.on("response", async (response) => {
    if (response.request().method() === "POST" && new URL(response.url()).pathname === "/v1/sessions" && response.ok()) {
      sessionIds.push(((await response.json()) as { sessionId: string }).sessionId);
    }
  });
  await page.goto(E2E.demoUrl);
  await configureWidget(page, { config: { greet: false } });
  const widget = page.locator("voice-agent");
  await openPanel(widget);
  await widget.getByRole("button", { name: "Start" }).click();
  await expectState(widget, "listening");
  await typedTurn(widget, "Please remember my order number.");

  const before = await localRows(page);
  const visitor = before["meta"]!.find((row) => (row as { key: string }).key === "visitorId");
  expect(visitor).toBeDefined();
  const [conversation] = before["conversations"] as { id: string }[];
  expect(before["messages"]).toHaveLength(2);
  await expect.poll(async () => (await recordsOfConversation(conversation!.id)).length).toBe(1);

  await widget.getByRole("button", { name: "Forget me" }).click();
  await expect(widget.getByText("Your local history was deleted")).toBeVisible();
  expect(await localRows(page)).toEqual({ conversations: [], messages: [], meta: [] });
  await expect(widget.locator("li[data-role]")).toHaveCount(0);
  expect((await vaLog(page)).errors).toEqual([]);
  // Every session the visitor opened (the conversation's, and the one forget me authenticated with) is gone.
  expect(sessionIds).toHaveLength(2);
  expect(await recordsOfConversation(conversation!.id)).toEqual([]);
  for (const id of sessionIds) await expect(admin(`/admin/sessions/${id}`)).rejects.toThrow("HTTP 404");

  // Usable again: a new conversation, as a new visitor, recorded anew.
  await widget.getByRole("button", { name: "Start" }).click();
  await expectState(widget, "listening");
  await typedTurn(widget, "Hello again.");
  await expect(widget.locator("li[data-role]")).toHaveCount(2);
  const after = await localRows(page);
  const [fresh] = after["conversations"] as { id: string }[];
  expect(fresh!.id).not.toBe(conversation!.id);
  expect(after["meta"]!.find((row) => (row as { key: string }).key === "visitorId")).not.toEqual(visitor);
  await expect.poll(async () => (await recordsOfConversation(fresh!.id)).length).toBe(1);
  expect((await vaLog(page)).errors).toEqual([]);
});
