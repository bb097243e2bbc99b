/** Every error code reaches a visible state and exactly one `va-error` event. */
import { afterEach, describe, expect, test, vi } from "vitest";
import { mountElement, type Mounted } from "./testing/mount-element.ts";
import { FailingHistoryStore } from "./testing/failing-history-store.ts";
import { DEFAULT_STRINGS } from "./voice-agent.strings.ts";
import { WidgetError, type WidgetErrorCode } from "./widget-error.ts";

let m: Mounted | undefined;
afterEach(() => m?.remove());
const until = (check: () => void) => vi.waitFor(check, { timeout: 3000, interval: 5 });

async function expectFatal(code: WidgetErrorCode): Promise<void> {
  await until(() => expect(m!.el.state).toMatchObject({ kind: "error", code }));
  await m!.el.updateComplete;
  expect(m!.of("va-error")).toEqual([{ code, message: expect.any(String), fatal: true }]);
  expect(m!.el.dataset.state).toBe("error");
  const alert = m!.$("[role=alert]")!;
  expect(alert.textContent).toContain(DEFAULT_STRINGS.errors[code]);
  expect(alert.textContent).toContain(`(${code})`);
}

describe("<voice-agent> errors", () => {
  test.each(["mic-denied", "no-mic", "audio", "vad"] as const)("audio start fails with %s", async (code) => {
    m = await mountElement();
    m.audio.failNextStart(code);
    m.el.start();
    await expectFatal(code);
    expect(m.audio.engine.closed).toBe(true);
  });

  test.each(["relay-unreachable", "origin-not-allowed", "unauthorized", "rate-limited", "upstream", "bad-request"] as const)(
    "opening the session fails with %s",
    async (code) => {
      m = await mountElement();
      m.transport.failNext("openSession", code);
      m.el.start();
      await expectFatal(code);
    },
  );

  test.each(["upstream", "rate-limited", "unauthorized"] as const)("a turn fails with %s", async (code) => {
    m = await mountElement({ config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.failNext("chat", code);
    m.el.sendText("hi");
    await expectFatal(code);
  });

  test("rate-limited shows how long the relay asked to wait", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.failNextWith(
      "chat",
      new WidgetError("rate-limited", "slow down", undefined, { retryAfterMs: 2500, relayCode: "rate_limited" }),
    );
    m.el.sendText("hi");
    await until(() => expect(m!.el.state).toMatchObject({ kind: "error", code: "rate-limited", retryAfterMs: 2500 }));
    await m.el.updateComplete;
    expect(m.$("[role=alert]")!.textContent).toContain("Try again in 3 s.");
    expect(m.of("va-error")).toEqual([{ code: "rate-limited", message: "slow down", fatal: true, retryAfterMs: 2500 }]);
  });

  test("a session the relay ended (session_idle) continues in a new session, same conversation", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.failNextWith("chat", new WidgetError("unauthorized", "idle", undefined, { relayCode: "session_idle" }));
    m.transport.failNextWith("refreshSession", new WidgetError("unauthorized", "idle", undefined, { relayCode: "session_idle" }));
    m.el.sendText("hi");
    await until(() => expect(m!.transport.callsOf("openSession")).toHaveLength(2));
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    const [first, second] = m.transport.callsOf("openSession");
    expect(second!.request.conversationId).toBe(first!.request.conversationId);
    expect(m.of("va-error")).toEqual([]);
  });

  test("a failing TTS request fails the turn with its code", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    m.transport.failNext("speech", "upstream");
    m.el.sendText("hi");
    await expectFatal("upstream");
  });

  test("an engine error at run time (e.g. the VAD) fails the conversation", async () => {
    m = await mountElement({ config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    const { WidgetError } = await import("./widget-error.ts");
    m.audio.engine.events.error(new WidgetError("vad", "model crashed"));
    await expectFatal("vad");
  });

  test("config errors throw at once with an actionable message, and show", async () => {
    m = await mountElement({ attributes: { "relay-url": "not a url" } });
    expect(() => m!.el.start()).toThrow(/relay-url attribute must be an absolute URL, e\.g\. relay-url="https:\/\/relay\.example\.com"/);
    await expectFatal("config");
  });

  test.each([
    [{ contextTurns: 0 }, /config\.contextTurns must be a whole number from 1 to 200/],
    [{ layout: "sidebar" as "inline" }, /config\.layout must be "launcher" or "inline"/],
    [{ tools: { lookup: "nope" as unknown as () => void } }, /config\.tools\.lookup must be a function/],
    [{ audioWorker: "http://[worker" }, /config\.audioWorker must be "auto", "main-thread" or the URL of a same-origin worker file/],
    [{ context: "name=Ada" as unknown as Record<string, string> }, /config\.context must be an object of strings, numbers and booleans/],
    [{ context: ["Ada"] as unknown as Record<string, string> }, /config\.context must be an object of strings, numbers and booleans/],
    [
      { context: { user: { name: "Ada" } } as unknown as Record<string, string> },
      /config\.context\.user must be a string, a number or a boolean/,
    ],
    [{ context: { cartItems: Number.NaN } }, /config\.context\.cartItems must be a string, a number or a boolean/],
  ])("config %o is rejected", async (config, message) => {
    m = await mountElement({ config });
    expect(() => m!.el.start()).toThrow(message);
  });

  test.each([
    [undefined, "auto"],
    ["main-thread", "main-thread"],
    ["/voice-agent-worker.js", `${location.origin}/voice-agent-worker.js`],
  ])("config.audioWorker %o reaches the audio engine as %o", async (audioWorker, worker) => {
    m = await mountElement({ config: { greet: false, ...(audioWorker ? { audioWorker } : {}) } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    expect(m.audio.engine.options.worker).toBe(worker);
  });

  test('layout="sidebar" is rejected, naming the attribute', async () => {
    m = await mountElement({ attributes: { layout: "sidebar" } });
    expect(() => m!.el.start()).toThrow(/<voice-agent> layout must be "launcher" \(the default\) or "inline" \(got "sidebar"\)/);
  });

  test("an unknown mode is rejected, naming the modes there are", async () => {
    m = await mountElement({ attributes: { mode: "telepathy" } });
    expect(() => m!.el.start()).toThrow(/mode must be "cascade", "realtime" or "text" \(got "telepathy"\)/);
  });

  test("storage: not fatal, one event, a visible notice", async () => {
    m = await mountElement({ history: async () => new FailingHistoryStore(), config: { greet: false } });
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("listening"));
    await m.el.updateComplete;
    expect(m.of("va-error")).toEqual([{ code: "storage", message: expect.any(String), fatal: false }]);
    expect(m.$("[part=notice]")!.textContent).toBe(DEFAULT_STRINGS.storageFallback);
  });

  test("after mic-denied, typing starts a text-only conversation", async () => {
    m = await mountElement({ config: { greet: false } });
    m.audio.failNextStart("mic-denied");
    m.el.start();
    await until(() => expect(m!.el.state.kind).toBe("error"));
    m.el.sendText("I'll type then");
    await until(() => expect(m!.el.messages.map((x) => x.text)).toEqual(["I'll type then", "This is a reply."]));
    expect(m.audio.engines).toHaveLength(1);
    expect(m.el.state.kind).toBe("listening");
  });
});
