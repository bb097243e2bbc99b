/** Local history through the element: restore after reload (real IndexedDB), fallback, export, forget. */
import { afterEach, describe, expect, test, vi } from "vitest";
import { DexieHistoryStore } from "./history/dexie-history-store.ts";
import { historyStoreContract } from "./history/history-store.contract.ts";
import { FailingHistoryStore } from "./testing/failing-history-store.ts";
import { mountElement, type Mounted } from "./testing/mount-element.ts";

let m: Mounted | undefined;
afterEach(() => m?.remove());
const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });
let n = 0;
const freshDb = () => `va-test-${Date.now()}-${n++}`;

historyStoreContract("DexieHistoryStore (IndexedDB)", () => DexieHistoryStore.open(freshDb()));

describe("<voice-agent> history", () => {
  test("restores the transcript after a reload and continues the same conversation with its context", async () => {
    const db = freshDb();
    m = await mountElement({ history: () => DexieHistoryStore.open(db) });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.el.sendText("remember the blue tent");
    await until(() => expect(m!.el.messages).toHaveLength(3));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    const first = m.transport.callsOf("openSession")[0]!.request;
    m.remove();

    // "Reload": a new element with a new transport, same database.
    m = await mountElement({ history: () => DexieHistoryStore.open(db) });
    await until(() => expect(m!.el.shadowRoot!.querySelectorAll("li")).toHaveLength(3));
    expect(m.transport.calls).toEqual([]);
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    const second = m.transport.callsOf("openSession")[0]!.request;
    expect(second).toEqual({ agent: "demo", visitorId: first.visitorId, conversationId: first.conversationId });
    expect(m.transport.callsOf("speech")).toEqual([]); // no second greeting
    m.el.sendText("which tent?");
    await until(() => expect(m!.transport.callsOf("chat")).toHaveLength(1));
    expect(m.transport.callsOf("chat")[0]!.messages.map((x) => x.content)).toEqual([
      "Hello! How can I help?",
      "remember the blue tent",
      "This is a reply.",
      "which tent?",
    ]);
  });

  test("context is bounded by config.contextTurns", async () => {
    m = await mountElement({ attributes: { mode: "text" }, config: { greet: false, contextTurns: 2 } });
    for (const text of ["one", "two", "three"]) {
      m.el.sendText(text);
      await until(() => expect(m!.el.messages.at(-1)?.role).toBe("assistant"));
      await until(() => expect(m!.el.state.kind).toBe("listening"));
    }
    expect(m.transport.callsOf("chat")[2]!.messages.map((x) => x.content)).toEqual(["two", "This is a reply.", "three"]);
  });

  test("memory fallback: storage failing mid-conversation loses nothing and tells the host once", async () => {
    m = await mountElement({
      history: async () => new FailingHistoryStore({ failAfterWrites: 4 }),
      attributes: { mode: "text" },
      config: { greet: false },
    });
    for (const text of ["a", "b"]) {
      m.el.sendText(text);
      await until(() => expect(m!.el.messages.at(-1)?.role).toBe("assistant"));
      await until(() => expect(m!.el.state.kind).toBe("listening"));
    }
    expect(m.el.messages.map((x) => x.text)).toEqual(["a", "This is a reply.", "b", "This is a reply."]);
    expect(m.of("va-error").map((e) => [e.code, e.fatal])).toEqual([["storage", false]]);
    const exported = await m.el.exportHistory();
    expect(exported.conversations[0]!.messages.map((x) => x.text)).toEqual(["a", "This is a reply.", "b", "This is a reply."]);
    expect(m.transport.callsOf("chat")[1]!.messages).toHaveLength(3);
  });

  test("IndexedDB unavailable at open: the conversation works in memory", async () => {
    m = await mountElement({
      history: () => Promise.reject(new Error("IndexedDB blocked")),
      attributes: { mode: "text" },
      config: { greet: false },
    });
    m.el.sendText("hi");
    await until(() => expect(m!.el.messages).toHaveLength(2));
    expect(m.of("va-error").map((e) => e.code)).toEqual(["storage"]);
  });

  test("export: every conversation with its messages, never the visitor id", async () => {
    m = await mountElement({ attributes: { mode: "text" } });
    m.el.sendText("export me");
    await until(() => expect(m!.el.messages).toHaveLength(3));
    const visitorId = m.transport.callsOf("openSession")[0]!.request.visitorId!;
    const data = await m.el.exportHistory();
    expect(data).toMatchObject({ format: "voice-agent-history", version: 1 });
    expect(data.conversations[0]!.messages.map((x) => x.role)).toEqual(["assistant", "user", "assistant"]);
    expect(JSON.stringify(data)).not.toContain(visitorId);
  });

  test("forget me: the relay is asked to delete the visitor, local history is wiped, a new visitor id follows", async () => {
    m = await mountElement({ attributes: { mode: "text" } });
    m.el.sendText("forget this");
    await until(() => expect(m!.el.messages).toHaveLength(3));
    const before = m.transport.callsOf("openSession")[0]!.request;
    await m.el.forget();
    expect(m.transport.callsOf("forgetVisitor")).toHaveLength(1);
    expect(m.transport.callsOf("openSession").at(-1)!.request.visitorId).toBe(before.visitorId);
    expect(m.el.messages).toEqual([]);
    expect((await m.el.exportHistory()).conversations).toEqual([]);
    await m.el.updateComplete;
    expect(m.el.shadowRoot!.querySelectorAll("li")).toHaveLength(0);
    m.el.sendText("new start");
    await until(() => expect(m!.el.messages.length).toBeGreaterThan(0));
    const after = m.transport.callsOf("openSession").at(-1)!.request;
    expect(after.visitorId).not.toBe(before.visitorId);
    expect(after.conversationId).not.toBe(before.conversationId);
  });

  test("forget me with the relay unreachable still wipes locally and reports the error", async () => {
    m = await mountElement({ attributes: { mode: "text" } });
    m.el.sendText("x");
    await until(() => expect(m!.el.messages).toHaveLength(3));
    m.transport.failNext("forgetVisitor", "relay-unreachable");
    await expect(m.el.forget()).rejects.toMatchObject({ code: "relay-unreachable" });
    expect(m.el.messages).toEqual([]);
    expect(m.of("va-error").at(-1)).toMatchObject({ code: "relay-unreachable", fatal: false });
  });
});

test("start() right after connecting waits for the restore: no second greeting, same conversation", async () => {
  const db = freshDb();
  m = await mountElement({ history: () => DexieHistoryStore.open(db), attributes: { mode: "text" } });
  m.el.sendText("first visit");
  await until(() => expect(m!.el.messages).toHaveLength(3));
  const first = m.transport.callsOf("openSession")[0]!.request;
  m.remove();
  m = await mountElement({ history: () => DexieHistoryStore.open(db), attributes: { mode: "text" } });
  m.el.start();
  await until(() => expect(m!.el.state.kind).toBe("listening"));
  expect(m.transport.callsOf("openSession")[0]!.request.conversationId).toBe(first.conversationId);
  expect(m.el.messages.map((x) => x.text)).toEqual(["Hello! How can I help?", "first visit", "This is a reply."]);
});
