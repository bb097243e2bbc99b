import { afterEach, describe, expect, test, vi } from "vitest";
import { FakeTransport } from "../testing/fake-transport.ts";
import { WidgetError } from "../widget-error.ts";
import { RelaySession, type RelaySessionOptions } from "./relay-session.ts";

const request = { agent: "demo", visitorId: "v".repeat(22), conversationId: "c1" };

function relaySession(transport: FakeTransport, options: Partial<RelaySessionOptions> = {}) {
  const opened: string[] = [];
  const failures: WidgetError[] = [];
  const session = new RelaySession(transport, request, {
    refreshLeadMs: 1000,
    reconnectDelaysMs: [0, 0],
    opened: (s) => opened.push(`${s.sessionId} ${s.token}`),
    renewFailed: (e) => failures.push(e),
    ...options,
  });
  return { session, opened, failures };
}

afterEach(() => vi.useRealTimers());

describe("RelaySession", () => {
  test("refreshes the same session's token before it expires", async () => {
    vi.useFakeTimers();
    const transport = new FakeTransport({ tokenTtlMs: 10_000, sessionTtlMs: 60_000 });
    const { session, opened } = relaySession(transport);
    await session.open();
    await vi.advanceTimersByTimeAsync(8_999);
    expect(transport.callsOf("refreshSession")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(9_000);
    expect(transport.callsOf("refreshSession")).toEqual([
      { method: "refreshSession", sessionId: "session-1" },
      { method: "refreshSession", sessionId: "session-1" },
    ]);
    expect(transport.callsOf("openSession")).toHaveLength(1);
    expect(opened).toEqual(["session-1 token-1", "session-1 token-1.1", "session-1 token-1.2"]);
    session.close();
  });

  test("a token that lives shorter than the lead is refreshed at half its life, not in a loop", async () => {
    vi.useFakeTimers();
    const transport = new FakeTransport({ tokenTtlMs: 10_000, sessionTtlMs: 60_000 });
    const { session } = relaySession(transport, { refreshLeadMs: 60_000 });
    await session.open();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(transport.callsOf("refreshSession")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.callsOf("refreshSession")).toHaveLength(1);
    expect(transport.callsOf("openSession")).toHaveLength(1);
    session.close();
  });

  test("opens a new session for the same conversation when the session's end is reached", async () => {
    vi.useFakeTimers();
    const transport = new FakeTransport({ tokenTtlMs: 10_000, sessionTtlMs: 15_000 });
    const { session, opened } = relaySession(transport);
    await session.open();
    await vi.advanceTimersByTimeAsync(9_000); // refresh: the token now lasts to the session's end
    await vi.advanceTimersByTimeAsync(5_000); // a lead before the end: a new session
    expect(opened).toEqual(["session-1 token-1", "session-1 token-1.1", "session-2 token-2"]);
    expect(transport.callsOf("openSession").map((c) => c.request)).toEqual([request, request]);
    session.close();
  });

  test("runs beforeReplace before a new session replaces the current one, not before the first", async () => {
    const transport = new FakeTransport();
    const order: string[] = [];
    const { session } = relaySession(transport, {
      opened: (s) => order.push(`opened ${s.sessionId}`),
      beforeReplace: async () => void order.push(`before, token of ${transport.callsOf("openSession").length}`),
    });
    await session.open();
    transport.failNextWith("refreshSession", new WidgetError("unauthorized", "gone", undefined, { relayCode: "session_expired" }));
    await session.renew();
    expect(order).toEqual(["opened session-1", "before, token of 1", "opened session-2"]);
    session.close();
  });

  test.each(["session_idle", "session_expired", "session_revoked", "token_expired", "unauthorized"])(
    "opens a new session when the refresh answers %s",
    async (relayCode) => {
      const transport = new FakeTransport();
      const { session } = relaySession(transport);
      await session.open();
      transport.failNextWith("refreshSession", new WidgetError("unauthorized", "gone", undefined, { relayCode }));
      expect((await session.renew()).sessionId).toBe("session-2");
      session.close();
    },
  );

  test("a refresh failing otherwise is reported, not papered over with a new session", async () => {
    vi.useFakeTimers();
    const transport = new FakeTransport({ tokenTtlMs: 2000 });
    const { session, failures } = relaySession(transport);
    await session.open();
    transport.failNext("refreshSession", "relay-unreachable");
    await vi.advanceTimersByTimeAsync(1000);
    expect(failures.map((f) => f.code)).toEqual(["relay-unreachable"]);
    expect(transport.callsOf("openSession")).toHaveLength(1);
    session.close();
  });

  test("reconnect keeps the session when the relay still knows it", async () => {
    const transport = new FakeTransport();
    const { session } = relaySession(transport);
    await session.open();
    transport.failNext("refreshSession", "relay-unreachable");
    const back = await session.reconnect(new AbortController().signal);
    expect(back.sessionId).toBe("session-1");
    expect(transport.callsOf("refreshSession")).toHaveLength(2);
    session.close();
  });
});
