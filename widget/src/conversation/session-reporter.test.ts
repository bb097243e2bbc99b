import { describe, expect, test } from "vitest";
import { FakeTransport } from "../testing/fake-transport.ts";
import { SessionReporter } from "./session-reporter.ts";

describe("SessionReporter", () => {
  test("batches up to 50 reports a request and keeps a failed batch for the next flush", async () => {
    const transport = new FakeTransport();
    const reporter = new SessionReporter(transport);
    for (let i = 0; i < 60; i++) reporter.add({ type: "state", state: "listening" });
    await reporter.flush();
    expect(transport.callsOf("report").map((c) => c.reports.length)).toEqual([50, 10]);
    transport.failNext("report", "relay-unreachable");
    reporter.add({ type: "interruption", messageId: "m1", heardText: "Hello" });
    await reporter.flush();
    expect(reporter.pending).toHaveLength(1);
    await reporter.flush();
    expect(transport.callsOf("report").at(-1)!.reports).toEqual([
      { type: "interruption", at: expect.any(Number), messageId: "m1", heardText: "Hello" },
    ]);
  });

  test("while the relay is unreachable the queue stays bounded and interruptions are kept", async () => {
    const transport = new FakeTransport();
    const reporter = new SessionReporter(transport);
    for (let i = 0; i < 10; i++) transport.failNext("report", "relay-unreachable");
    reporter.add({ type: "interruption", messageId: "m1", heardText: "Hi" });
    for (let i = 0; i < 500; i++) reporter.add({ type: "state", state: "thinking" });
    await reporter.flush();
    expect(reporter.pending.length).toBeLessThanOrEqual(200);
    expect(reporter.pending[0]).toMatchObject({ type: "interruption", messageId: "m1" });
  });

  test("a replaced session's unsent reports are dropped, not sent in the next session", async () => {
    const transport = new FakeTransport();
    const reporter = new SessionReporter(transport);
    reporter.useSession((await transport.openSession({ agent: "demo" })).sessionId);
    reporter.add({ type: "state", state: "listening" });
    transport.failNext("report", "unauthorized");
    await reporter.flush();
    expect(reporter.pending).toHaveLength(1);
    reporter.useSession((await transport.openSession({ agent: "demo" })).sessionId);
    expect(reporter.pending).toHaveLength(0);
    reporter.add({ type: "state", state: "thinking" });
    await reporter.flush();
    expect(transport.callsOf("report").map((c) => [c.sessionId, c.reports.map((r) => r.type === "state" && r.state)])).toEqual([
      ["session-1", ["listening"]],
      ["session-2", ["thinking"]],
    ]);
  });

  test("a batch in flight when its session is replaced is not queued again if it fails", async () => {
    const transport = new FakeTransport();
    const reporter = new SessionReporter(transport);
    reporter.useSession("session-1");
    reporter.add({ type: "state", state: "listening" });
    reporter.useSession("session-1"); // the same session again (a refreshed token) keeps the queue
    expect(reporter.pending).toHaveLength(1);
    transport.failNext("report", "unauthorized");
    const flushed = reporter.flush();
    reporter.useSession("session-2");
    await flushed;
    expect(reporter.pending).toHaveLength(0);
    await reporter.flush();
    expect(transport.callsOf("report")).toHaveLength(1);
  });

  test("the end goes with keepalive; nothing is reported after it", async () => {
    const transport = new FakeTransport();
    const reporter = new SessionReporter(transport);
    reporter.add({ type: "start", language: "en" });
    await reporter.end("unload");
    reporter.add({ type: "state", state: "listening" });
    await reporter.end("hangup");
    expect(transport.callsOf("report")).toEqual([
      {
        method: "report",
        sessionId: "session-0",
        keepalive: true,
        reports: [expect.objectContaining({ type: "start" }), expect.objectContaining({ type: "end", reason: "unload" })],
      },
    ]);
  });
});
