/**
 * The widget's reports reach the relay's session records: RelayClient and SessionReporter against the real
 * relay with records (SQLite in memory) and the stand-in upstream over sockets.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { BatchingRecordWriter } from "../../relay/src/records/batching-record-writer.ts";
import { SqliteSessionStore } from "../../relay/src/records/sqlite-session-store.ts";
import { TEST_ORIGIN } from "../../relay/test/fixtures.ts";
import { startRelayWithStandin } from "../../relay/test/servers.ts";
import { SessionReporter } from "./conversation/session-reporter.ts";
import { encodeWav } from "@voice-agent/dsp";
import { RelayClient } from "./relay-client.ts";

const TURN = "turn-0001";

let relay: Awaited<ReturnType<typeof startRelayWithStandin>>;
let store: SqliteSessionStore;
let writer: BatchingRecordWriter;

beforeAll(async () => {
  store = new SqliteSessionStore(":memory:");
  await store.migrate();
  writer = new BatchingRecordWriter(store, { flushIntervalMs: 60_000, log: () => {} });
  relay = await startRelayWithStandin(
    { records: { store, writer, adminTokens: [], defaultRetentionDays: 30 } },
    { latency: { llmFirstTokenMs: 20, llmPerTokenMs: 20 } },
  );
  // Node's fetch sends no Origin; a browser always does.
  const fetch = globalThis.fetch;
  vi.stubGlobal("fetch", (url: string, init: RequestInit = {}) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), origin: TEST_ORIGIN } }),
  );
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await relay.close();
});

describe("session records from the widget's side", () => {
  test("a barged-in reply ends up interrupted with the heard text; the session carries start, latency and end", async () => {
    const client = new RelayClient(relay.url);
    const visitorId = crypto.randomUUID();
    const session = await client.openSession({ agent: "demo", visitorId, conversationId: "conversation-7" });
    const reporter = new SessionReporter(client);
    reporter.add({ type: "start", sampleRate: 48_000, language: "en-GB" });
    reporter.add({ type: "greeting" });
    reporter.add({ type: "state", state: "listening" });

    // The reply streams; the visitor barges in after the first words were heard.
    const barge = new AbortController();
    let recordId = "";
    let heard = "";
    try {
      for await (const delta of client.chat([{ role: "user", content: "tell me a long story about tents" }], {
        turnId: TURN,
        signal: barge.signal,
      })) {
        if (delta.type === "record") recordId = delta.id;
        if (delta.type === "text") heard += delta.text;
        if (heard.split(" ").length > 3) barge.abort();
      }
    } catch (error) {
      if (!barge.signal.aborted) throw error;
    }
    expect(recordId).not.toBe("");
    reporter.add({ type: "interruption", messageId: recordId, turnId: TURN, heardText: heard, playedMs: 900 });
    reporter.add({ type: "turn-latency", messageId: recordId, turnId: TURN, latency: { llmFirstTokenMs: 40, turnMs: 700 } });
    await reporter.flush();

    // A streamed transcription: interim text arrives word by word; the final transcript is recorded.
    const interim: string[] = [];
    const transcript = await client.transcribe(
      encodeWav(new Float32Array(16_000), 16_000),
      { turnId: "turn-spoken", signal: new AbortController().signal },
      (text) => interim.push(text),
    );
    expect(transcript.text).toBe("I spoke for 1.0 seconds.");
    expect(interim.length).toBeGreaterThan(2);
    expect(interim.at(-1)).toBe("I spoke for 1.0 seconds.");
    const recorded = await store.getSession(session.sessionId);
    // The typed question of the barged-in turn first, then the transcript.
    expect(recorded?.messages.filter((m) => m.role === "user").map((m) => [m.text, m.utteranceId])).toEqual([
      ["tell me a long story about tents", TURN],
      ["I spoke for 1.0 seconds.", "turn-spoken"],
    ]);

    // The end revokes the session: nothing after it can use its token.
    await reporter.end("hangup");
    await vi.waitFor(async () => {
      await writer.flush();
      const detail = await store.getSession(session.sessionId);
      expect(detail?.messages.find((m) => m.id === recordId)).toMatchObject({
        role: "assistant",
        interrupted: true,
        heardText: heard,
        latency: { turnMs: 700 },
      });
      expect(detail?.session).toMatchObject({
        status: "completed",
        conversationId: "conversation-7",
        client: { sampleRate: 48_000, language: "en-GB" },
      });
      expect(detail?.events.filter((e) => e.source === "widget").map((e) => e.type)).toEqual([
        "start",
        "greeting",
        "state",
        "interruption",
        "turn-latency",
        "end",
      ]);
      expect(detail?.messages.find((m) => m.id === session.greetingId)).toMatchObject({
        id: session.greetingId,
        role: "assistant",
        text: session.agent.greeting,
      });
    });

    // "Forget me", as the widget does it after the end (which revoked the session): from a new session of
    // the same visitor, deleting both.
    const asking = await client.openSession({ agent: "demo", visitorId });
    await client.forgetVisitor();
    await writer.flush();
    expect(await store.getSession(session.sessionId)).toBeUndefined();
    expect(await store.getSession(asking.sessionId)).toBeUndefined();
  });

  test("a speculative turn (transcript and reply asked for at a pause) is recorded once the widget commits it", async () => {
    const client = new RelayClient(relay.url);
    const session = await client.openSession({ agent: "demo", visitorId: crypto.randomUUID() });
    const turn = { turnId: "turn-speculative", signal: new AbortController().signal, speculative: true };
    const { text } = await client.transcribe(encodeWav(new Float32Array(24_000), 16_000), turn);
    let reply = "";
    for await (const delta of client.chat([{ role: "user", content: text }], turn)) if (delta.type === "text") reply += delta.text;
    await writer.flush();
    expect((await store.getSession(session.sessionId))?.messages).toEqual([]);

    const reporter = new SessionReporter(client);
    reporter.useSession(session.sessionId);
    reporter.add({ type: "turn-committed", turnId: turn.turnId });
    await reporter.flush();
    await writer.flush();
    expect((await store.getSession(session.sessionId))?.messages.map((m) => [m.role, m.text, m.utteranceId])).toEqual([
      ["user", "I spoke for 1.5 seconds.", turn.turnId],
      ["assistant", reply, turn.turnId],
    ]);
  });
});
