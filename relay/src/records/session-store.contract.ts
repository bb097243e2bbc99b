import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventOp, messageOp, sessionOp } from "../../test/record-fixtures.ts";
import { describeAnalysisStoreContract } from "./analysis-store.contract.ts";
import type { SessionStore } from "./session-store.ts";
import { uuidv7 } from "./uuid-v7.ts";
import { describeWebhookOutboxContract } from "./webhook-outbox.contract.ts";

/** Makes a fresh, empty, migrated store; `dispose` removes everything it created. */
export type StoreFactory = () => Promise<{ store: SessionStore; dispose: () => Promise<void> }>;

const T0 = 1_800_000_000_000;

/** The contract every {@link SessionStore} implementation passes, its webhook outbox included. */
export function describeSessionStoreContract(name: string, factory: StoreFactory): void {
  describeWebhookOutboxContract(name, factory);
  describe(`${name} (SessionStore contract)`, () => {
    let store: SessionStore;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      ({ store, dispose } = await factory());
    });
    afterEach(async () => {
      await dispose();
    });

    it("migrates idempotently and round-trips a session with its messages and events", async () => {
      await store.migrate();
      const s = sessionOp({
        createdAt: T0,
        conversationId: "conv-1",
        client: { sampleRate: 48_000, language: "en-GB" },
        context: { name: 'Ada "\n', plan: "pro", cartItems: 3, member: true },
      });
      const id = s.session.id;
      const user = messageOp(id, { startAt: T0 + 1000, utteranceId: "turn-0001" });
      const reply = messageOp(id, {
        role: "assistant",
        text: "It ships today.",
        startAt: T0 + 2000,
        promptTokens: 40,
        completionTokens: 5,
        audioDurationMs: null,
        latency: { upstreamLlmFirstTokenMs: 300 },
        utteranceId: "turn-0001",
      });
      const event = eventOp(id, { at: T0 + 1500, type: "interruption", payload: { heardText: "It" } });
      await store.apply([reply, event, s, user]);
      const detail = await store.getSession(id);
      expect(detail?.session).toEqual(s.session);
      expect(detail?.messages).toEqual([user.message, reply.message]);
      expect(detail?.events).toEqual([event.event]);
      expect(await store.getSession("00000000-0000-7000-8000-000000000000")).toBeUndefined();
    });

    it("applies a batch twice without duplicates and drops ops about unknown sessions", async () => {
      const s = sessionOp({ createdAt: T0 });
      const batch = [s, messageOp(s.session.id), eventOp(s.session.id)];
      await store.apply(batch);
      await store.apply(batch);
      await store.apply([
        messageOp("no-such-session"),
        eventOp("no-such-session"),
        { op: "set-status", sessionId: "no-such-session", status: "active", at: T0 },
      ]);
      const detail = await store.getSession(s.session.id);
      expect(detail?.messages).toHaveLength(1);
      expect(detail?.events).toHaveLength(1);
      expect((await store.listSessions({ limit: 10 })).sessions).toHaveLength(1);
    });

    it("keeps the first user message of a turn, even against copies in one batch, and any number of replies", async () => {
      const s = sessionOp({ createdAt: T0 });
      const id = s.session.id;
      const turn = "turn-0001";
      const spoken = messageOp(id, { text: " Where is my order? ", startAt: T0 + 1000, utteranceId: turn });
      // The chat request's copy of the transcript, and a retry of it: same turn, other record ids.
      const typed = (startAt: number) =>
        messageOp(id, { text: "Where is my order?", startAt, audioDurationMs: null, latency: {}, utteranceId: turn });
      const toolRound = messageOp(id, { role: "assistant", text: "", startAt: T0 + 2000, id: uuidv7(T0 + 2000), utteranceId: turn });
      const reply = messageOp(id, {
        role: "assistant",
        text: "It ships today.",
        startAt: T0 + 3000,
        id: uuidv7(T0 + 3000),
        utteranceId: turn,
      });
      const nextTurn = messageOp(id, { text: "Where is my order?", startAt: T0 + 4000, utteranceId: "turn-0002" });
      const withoutTurn = messageOp(id, { text: "Where is my order?", startAt: T0 + 5000 });
      const alsoWithoutTurn = messageOp(id, { text: "Where is my order?", startAt: T0 + 6000 });
      await store.apply([s, spoken]);
      await store.apply([typed(T0 + 1500), reply, toolRound, typed(T0 + 2500)]);
      await store.apply([typed(T0 + 2600), nextTurn, withoutTurn, alsoWithoutTurn]);
      const messages = (await store.getSession(id))?.messages ?? [];
      expect(messages.map((m) => [m.role, m.utteranceId])).toEqual([
        ["user", turn],
        ["assistant", turn],
        ["assistant", turn],
        ["user", "turn-0002"],
        ["user", null],
        ["user", null],
      ]);
      expect(messages[0]).toMatchObject({ startAt: T0 + 1000, text: " Where is my order? " });
    });

    it("changes status only along valid transitions and keeps start, end and duration", async () => {
      const s = sessionOp({ createdAt: T0 });
      const sessionId = s.session.id;
      await store.apply([s, { op: "set-status", sessionId, status: "completed", at: T0 + 1 }]);
      expect((await store.getSession(sessionId))?.session.status).toBe("pending");
      await store.apply([
        { op: "set-status", sessionId, status: "active", at: T0 + 1000 },
        { op: "set-status", sessionId, status: "active", at: T0 + 5000 },
      ]);
      expect((await store.getSession(sessionId))?.session).toMatchObject({ status: "active", startedAt: T0 + 1000 });
      await store.apply([
        { op: "set-status", sessionId, status: "cancelled", at: T0 + 8000, from: ["pending"] },
        { op: "set-status", sessionId, status: "completed", at: T0 + 9000, reason: "hangup" },
        { op: "set-status", sessionId, status: "failed", at: T0 + 9500 },
      ]);
      expect((await store.getSession(sessionId))?.session).toMatchObject({
        status: "completed",
        endedAt: T0 + 9000,
        durationMs: 9000,
        endReason: "hangup",
      });
    });

    it("patches a message only within its own session and merges latency", async () => {
      const a = sessionOp({ createdAt: T0 });
      const b = sessionOp({ createdAt: T0 + 1 });
      const reply = messageOp(a.session.id, { role: "assistant", latency: { llmFirstTokenMs: 250 } });
      await store.apply([a, b, reply]);
      await store.apply([
        { op: "patch-message", sessionId: b.session.id, messageId: reply.message.id, interrupted: true, heardText: "stolen" },
      ]);
      expect((await store.getSession(a.session.id))?.messages[0]).toMatchObject({ interrupted: false, heardText: null });
      await store.apply([
        { op: "patch-message", sessionId: a.session.id, messageId: reply.message.id, interrupted: true, heardText: "It ships" },
        { op: "patch-message", sessionId: a.session.id, messageId: reply.message.id, latency: { turnMs: 900 } },
      ]);
      expect((await store.getSession(a.session.id))?.messages[0]).toMatchObject({
        interrupted: true,
        heardText: "It ships",
        latency: { llmFirstTokenMs: 250, turnMs: 900 },
      });
    });

    it("keeps a patch that arrives before its message (another instance still streams the reply) until the message is written", async () => {
      const a = sessionOp({ createdAt: T0 });
      const b = sessionOp({ createdAt: T0 + 1 });
      await store.apply([a, b]);
      const reply = messageOp(a.session.id, {
        role: "assistant",
        text: "It ships today, and it is fast.",
        latency: { llmFirstTokenMs: 250 },
      });
      await store.apply([
        { op: "patch-message", sessionId: a.session.id, messageId: reply.message.id, interrupted: true, heardText: "It ships" },
      ]);
      await store.apply([{ op: "patch-message", sessionId: a.session.id, messageId: reply.message.id, latency: { turnMs: 900 } }]);
      // Another session cannot patch it, before or after.
      await store.apply([{ op: "patch-message", sessionId: b.session.id, messageId: reply.message.id, heardText: "stolen" }]);
      expect((await store.getSession(a.session.id))?.messages).toEqual([]);
      await store.apply([reply]);
      await store.apply([reply]);
      expect((await store.getSession(a.session.id))?.messages).toMatchObject([
        {
          id: reply.message.id,
          text: "It ships today, and it is fast.",
          interrupted: true,
          heardText: "It ships",
          latency: { llmFirstTokenMs: 250, turnMs: 900 },
        },
      ]);
      // In one batch too, in any order.
      const reply2 = messageOp(a.session.id, { role: "assistant" });
      await store.apply([
        { op: "patch-message", sessionId: a.session.id, messageId: reply2.message.id, interrupted: true, heardText: "Where" },
        reply2,
      ]);
      expect((await store.getSession(a.session.id))?.messages.find((m) => m.id === reply2.message.id)).toMatchObject({
        interrupted: true,
        heardText: "Where",
      });
    });

    it("lists each session with the visitor's first line as a preview", async () => {
      const talked = sessionOp({ createdAt: T0 });
      const silent = sessionOp({ createdAt: T0 + 1 });
      await store.apply([
        talked,
        silent,
        messageOp(talked.session.id, { role: "assistant", text: "Hello! How can I help?", startAt: T0 + 10 }),
        messageOp(talked.session.id, { role: "user", text: "Where is my order?", startAt: T0 + 20 }),
        messageOp(talked.session.id, { role: "user", text: "Order A12.", startAt: T0 + 30 }),
      ]);
      const { sessions } = await store.listSessions({ limit: 10 });
      expect(sessions.map((s) => [s.id, s.firstVisitorText])).toEqual([
        [silent.session.id, null],
        [talked.session.id, "Where is my order?"],
      ]);
    });

    it("lists newest first with agent, status and time filters and cursor pagination", async () => {
      const ops = Array.from({ length: 25 }, (_, i) =>
        sessionOp({ createdAt: T0 + Math.floor(i / 2) * 1000, agent: i % 3 === 0 ? "sales" : "demo" }),
      );
      await store.apply([...ops, { op: "set-status", sessionId: ops[4]!.session.id, status: "active", at: T0 + 9000 }]);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listSessions({ limit: 7, ...(cursor ? { cursor } : {}) });
        seen.push(...page.sessions.map((s) => s.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const expected = [...ops]
        .sort((x, y) => y.session.createdAt - x.session.createdAt || (y.session.id < x.session.id ? -1 : 1))
        .map((o) => o.session.id);
      expect(seen).toEqual(expected);

      const sales = await store.listSessions({ limit: 100, agents: ["sales"] });
      expect(sales.sessions.map((s) => s.agent)).toEqual(Array(9).fill("sales"));
      expect((await store.listSessions({ limit: 100, agents: [] })).sessions).toEqual([]);
      expect((await store.listSessions({ limit: 100, status: "active" })).sessions.map((s) => s.id)).toEqual([ops[4]!.session.id]);
      const window = await store.listSessions({ limit: 100, from: T0 + 2000, to: T0 + 4000 });
      expect(window.sessions.map((s) => s.createdAt)).toEqual([T0 + 3000, T0 + 3000, T0 + 2000, T0 + 2000]);
      await expect(store.listSessions({ limit: 5, cursor: "garbage" })).rejects.toThrow(RangeError);
    });

    it("deletes sessions by id within an agent scope, with their messages and events", async () => {
      const mine = sessionOp({ createdAt: T0 });
      const theirs = sessionOp({ createdAt: T0, agent: "sales" });
      await store.apply([mine, theirs, messageOp(mine.session.id), eventOp(mine.session.id), messageOp(theirs.session.id)]);
      expect(await store.deleteSessions({ ids: [mine.session.id, theirs.session.id], agents: ["demo"] })).toEqual([mine.session.id]);
      expect(await store.getSession(mine.session.id)).toBeUndefined();
      expect((await store.getSession(theirs.session.id))?.messages).toHaveLength(1);
      expect(await store.deleteSessions({ ids: [theirs.session.id] })).toEqual([theirs.session.id]);
      await store.apply([messageOp(mine.session.id)]);
      expect(await store.getSession(mine.session.id)).toBeUndefined();
    });

    it("forgets every session of one visitor and nobody else's", async () => {
      const a1 = sessionOp({ createdAt: T0 }, "hash-a");
      const a2 = sessionOp({ createdAt: T0 + 1 }, "hash-a");
      const b = sessionOp({ createdAt: T0 + 2 }, "hash-b");
      const anonymous = sessionOp({ createdAt: T0 + 3 });
      const anonymous2 = sessionOp({ createdAt: T0 + 4 });
      await store.apply([a1, a2, b, anonymous, anonymous2]);
      expect((await store.deleteSessions({ visitorOf: a2.session.id })).sort()).toEqual([a1.session.id, a2.session.id].sort());
      expect(await store.deleteSessions({ visitorOf: anonymous.session.id })).toEqual([anonymous.session.id]);
      expect(await store.deleteSessions({ visitorOf: "no-such-session" })).toEqual([]);
      expect((await store.listSessions({ limit: 10 })).sessions.map((s) => s.id).sort()).toEqual(
        [b.session.id, anonymous2.session.id].sort(),
      );
    });

    it("times out open sessions idle past their lapse, ended at their last activity, and leaves ended ones alone", async () => {
      const lapsed = sessionOp({ createdAt: T0, expiresAt: T0 + 1000 });
      const lapsedActive = sessionOp({ createdAt: T0, expiresAt: T0 + 2000 });
      const fresh = sessionOp({ createdAt: T0, expiresAt: T0 + 60_000 });
      const done = sessionOp({ createdAt: T0, expiresAt: T0 + 1000 });
      await store.apply([
        lapsed,
        lapsedActive,
        fresh,
        done,
        { op: "set-status", sessionId: lapsedActive.session.id, status: "active", at: T0 + 500 },
        { op: "touch", sessionId: lapsedActive.session.id, at: T0 + 800, lapseAt: T0 + 1800 },
        { op: "set-status", sessionId: done.session.id, status: "cancelled", at: T0 + 700, reason: "unload" },
      ]);
      expect(await store.markLapsed(T0 + 5000)).toBe(2);
      expect((await store.getSession(lapsedActive.session.id))?.session).toMatchObject({
        status: "timeout",
        endedAt: T0 + 800,
        durationMs: 800,
        endReason: "lapsed",
      });
      expect((await store.getSession(lapsed.session.id))?.session).toMatchObject({ status: "timeout", endedAt: T0, durationMs: 0 });
      expect((await store.getSession(fresh.session.id))?.session.status).toBe("pending");
      expect((await store.getSession(done.session.id))?.session.status).toBe("cancelled");
    });

    it("keeps a session open while it is active: each activity moves its lapse, never back, and its end is counted from creation", async () => {
      const long = sessionOp({ createdAt: T0, expiresAt: T0 + 60_000 });
      await store.apply([long, { op: "set-status", sessionId: long.session.id, status: "active", at: T0 + 5000 }]);
      // A conversation of 20 minutes with a request every minute and a 60 s idle timeout.
      for (let minute = 1; minute <= 20; minute++) {
        const at = T0 + minute * 60_000;
        await store.apply([{ op: "touch", sessionId: long.session.id, at, lapseAt: at + 60_000 }]);
        expect(await store.markLapsed(at + 30_000)).toBe(0);
      }
      // Applied late (a batch that waited): neither the activity nor the lapse goes back.
      await store.apply([{ op: "touch", sessionId: long.session.id, at: T0 + 90_000, lapseAt: T0 + 150_000 }]);
      expect((await store.getSession(long.session.id))?.session).toMatchObject({
        status: "active",
        lastActiveAt: T0 + 1_200_000,
        expiresAt: T0 + 1_260_000,
      });
      await store.apply([{ op: "set-status", sessionId: long.session.id, status: "completed", at: T0 + 1_230_000, reason: "hangup" }]);
      // Too late for an ended session.
      await store.apply([{ op: "touch", sessionId: long.session.id, at: T0 + 1_240_000, lapseAt: T0 + 1_300_000 }]);
      expect((await store.getSession(long.session.id))?.session).toMatchObject({
        status: "completed",
        startedAt: T0 + 5000,
        endedAt: T0 + 1_230_000,
        durationMs: 1_230_000,
        lastActiveAt: T0 + 1_200_000,
      });
    });

    it("keeps tool calls and the tool results that answer them", async () => {
      const s = sessionOp({ createdAt: T0 });
      const calls = [{ id: "call_1", name: "lookup_order", arguments: '{"order":"A12"}' }];
      await store.apply([
        s,
        messageOp(s.session.id, { role: "assistant", text: "", startAt: T0 + 1, toolCalls: calls }),
        messageOp(s.session.id, { role: "tool", text: '{"status":"shipped"}', startAt: T0 + 2, toolCallId: "call_1" }),
      ]);
      const messages = (await store.getSession(s.session.id))?.messages;
      expect(messages?.map((m) => [m.role, m.toolCalls, m.toolCallId])).toEqual([
        ["assistant", calls, null],
        ["tool", null, "call_1"],
      ]);
    });

    it("purges by per-agent retention and a default for other agents", async () => {
      const old = (agent: string) => sessionOp({ createdAt: T0, agent });
      const recent = (agent: string) => sessionOp({ createdAt: T0 + 10 * 86_400_000, agent });
      const ops = [old("demo"), recent("demo"), old("sales"), recent("sales"), old("gone"), recent("gone")];
      await store.apply(ops);
      const day5 = T0 + 5 * 86_400_000;
      expect(await store.purge({ byAgent: new Map([["demo", day5]]) })).toBe(1);
      expect(
        await store.purge({
          byAgent: new Map([
            ["demo", day5],
            ["sales", T0 + 20 * 86_400_000],
          ]),
          otherwise: day5,
        }),
      ).toBe(3);
      expect((await store.listSessions({ limit: 10 })).sessions.map((s) => s.agent).sort()).toEqual(["demo", "gone"]);
    });
  });
  describeAnalysisStoreContract(name, factory);
}
