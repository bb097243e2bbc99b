import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createStandin } from "@voice-agent/standin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateSessionResponse } from "../protocol.ts";
import { RECORD_ID_HEADER, TURN_ID_HEADER } from "../protocol.ts";
import { TEST_ORIGIN, testAgent } from "../../test/fixtures.ts";
import { listen, silentWav } from "../../test/servers.ts";
import type { SessionDetail } from "./session-record.ts";

const ADMIN = "process-test-admin-token-0123456789";
const mainTs = fileURLToPath(new URL("../main.ts", import.meta.url));

/** The relay's Node entry as a child process, with its records in `dbFile` and batching slowed to 60 s. */
async function startRelay(dbFile: string, agentsFile: string, upstream: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [mainTs], {
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      HOST: "127.0.0.1",
      AGENTS_FILE: agentsFile,
      WIDGET_DIR: join(dbFile, "..", "no-widget"),
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: upstream,
      DATABASE_URL: `file:${dbFile}`,
      ADMIN_TOKEN: ADMIN,
      // Queued (non-durable) records would wait a minute: a kill always finds some pending.
      RECORDS_FLUSH_MS: "60000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /relay listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`relay exited (${code}) before listening:\n${output}`)));
  });
  return { url, child };
}

describe("no data lost across a relay process kill and restart", { timeout: 20_000 }, () => {
  const standin = createStandin({ latency: { llmFirstTokenMs: 25, llmPerTokenMs: 25 } });
  let upstream = "";
  let closeStandin: () => Promise<void>;
  let dir: string;
  let agentsFile: string;

  beforeAll(async () => {
    const server = await listen(standin.app.fetch);
    upstream = `${server.url}/v1`;
    closeStandin = server.close;
    dir = mkdtempSync(join(tmpdir(), "records-process-"));
    agentsFile = join(dir, "agents.json");
    writeFileSync(agentsFile, JSON.stringify({ agents: [testAgent] }));
  });
  afterAll(() => {
    void closeStandin();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * One visitor turn against a running relay: transcript, full reply, then widget reports (with the
   * session's end unless the session goes on: an ended session is revoked).
   */
  async function turn(url: string, { end = true } = {}) {
    const created = await fetch(`${url}/v1/sessions`, {
      method: "POST",
      headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ agent: "demo", visitorId: crypto.randomUUID() }),
    });
    const session = (await created.json()) as CreateSessionResponse;
    const headers = { authorization: `Bearer ${session.token}`, origin: TEST_ORIGIN };
    const form = new FormData();
    form.append("file", silentWav(1), "u.wav");
    const spoken = crypto.randomUUID();
    const stt = await fetch(`${url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { ...headers, [TURN_ID_HEADER]: spoken },
      body: form,
    });
    const transcript = ((await stt.json()) as { text: string }).text;
    const chat = (content: string, turnId: string = crypto.randomUUID()) =>
      fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", [TURN_ID_HEADER]: turnId },
        body: JSON.stringify({ stream: true, messages: [{ role: "user", content }] }),
      });
    // A spoken turn: the chat request's last user message is the transcript, recorded once.
    const reply = await chat(transcript, spoken);
    const replyBody = await reply.text();
    expect(replyBody).toContain("[DONE]");
    const reported = await fetch(`${url}/v1/session-events`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ reports: [{ type: "start", sampleRate: 48_000 }, ...(end ? [{ type: "end", reason: "hangup" }] : [])] }),
    });
    expect(reported.status).toBe(202);
    return {
      session,
      chat,
      sent: [
        [stt.headers.get(RECORD_ID_HEADER), transcript],
        [reply.headers.get(RECORD_ID_HEADER), `This is the offline demo. You said: ${transcript}`],
      ],
    };
  }

  /** Starts a relay on `db` again and returns what it holds of session `id`, then stops it. */
  async function afterRestart(db: string, id: string): Promise<SessionDetail> {
    const second = await startRelay(db, agentsFile, upstream);
    try {
      return (await (
        await fetch(`${second.url}/admin/sessions/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } })
      ).json()) as SessionDetail;
    } finally {
      second.child.kill("SIGTERM");
      await once(second.child, "exit");
    }
  }

  it("SIGKILL mid-session: every message the browser fully received is in the store after a restart", async () => {
    const db = join(dir, "kill.sqlite");
    const first = await startRelay(db, agentsFile, upstream);
    const { session, chat, sent } = await turn(first.url, { end: false });
    // A second reply is streaming when the process dies.
    const typed = Array.from({ length: 60 }, (_, i) => `w${i}`).join(" ");
    const streaming = await chat(typed);
    const reader = streaming.body!.getReader();
    await reader.read();
    first.child.kill("SIGKILL");
    await once(first.child, "exit");
    await reader.closed.catch(() => {});

    const after = await afterRestart(db, session.sessionId);
    // The typed question of the cut reply may or may not have been committed yet; its reply never was.
    expect(after.messages.filter((m) => m.text !== typed).map((m) => [m.id, m.text])).toEqual(sent);
  });

  it("SIGKILL right after the widget's reports were accepted: they are in the store after a restart", async () => {
    const db = join(dir, "kill-reports.sqlite");
    const first = await startRelay(db, agentsFile, upstream);
    const { session } = await turn(first.url);
    first.child.kill("SIGKILL");
    await once(first.child, "exit");
    const after = await afterRestart(db, session.sessionId);
    expect(after.events.filter((e) => e.source === "widget").map((e) => e.type)).toEqual(["start", "end"]);
    expect(after.session).toMatchObject({ status: "completed", endReason: "hangup", client: { sampleRate: 48_000 } });
  });

  it("SIGTERM loses nothing: queued reports and the part of a reply that was streamed before the shutdown are committed", async () => {
    const db = join(dir, "term.sqlite");
    const first = await startRelay(db, agentsFile, upstream);
    const { session, chat, sent } = await turn(first.url, { end: false });
    const streaming = await chat("finish this reply please");
    // Wait until part of the reply has reached the browser, then stop the relay mid-reply.
    const reader = streaming.body!.getReader();
    const decoder = new TextDecoder();
    let rest = "";
    while (!rest.includes('"content":"This')) rest += decoder.decode((await reader.read()).value, { stream: true });
    const exited = once(first.child, "exit");
    first.child.kill("SIGTERM");
    // The relay ends open streams cleanly on shutdown (issue 3): a shutting_down event, no [DONE].
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += decoder.decode(r.value, { stream: true });
    expect(rest).toContain('"code":"shutting_down"');
    const heard = [...rest.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join("");
    const [code] = await exited;
    expect(code).toBe(0);

    const after = await afterRestart(db, session.sessionId);
    expect(after.messages.map((m) => [m.id, m.text])).toEqual([
      ...sent,
      [expect.any(String), "finish this reply please"],
      [streaming.headers.get(RECORD_ID_HEADER), heard],
    ]);
    expect(after.events.map((e) => e.type)).toEqual(["start", "error"]); // error: the shutting_down end of the cut stream
    expect(after.session).toMatchObject({ status: "active", client: { sampleRate: 48_000 } });
  });
});
