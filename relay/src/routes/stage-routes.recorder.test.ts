import { createStandin } from "@voice-agent/standin";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createErrorHandler } from "../error-handler.ts";
import { type HttpError } from "../http-error.ts";
import { PATHS, RECORD_ID_HEADER, TURN_ID_HEADER } from "../protocol.ts";
import type { Recorder, RecordScope } from "../recorder.ts";
import type { RelayEnv } from "../relay-env.ts";
import { testAgent, testUpstreams } from "../../test/fixtures.ts";
import { listen, silentWav } from "../../test/servers.ts";
import { turnId } from "../turn-id.ts";
import { createUpstreamClients } from "../upstreams.ts";
import { createChatCompletionsRoute } from "./chat-completions-route.ts";
import { createSpeechRoute } from "./speech-route.ts";
import { createTranscriptionsRoute } from "./transcriptions-route.ts";

/** A {@link Recorder} that writes down what the routes hand it, as `stage:what` lines. */
class RecordingRecorder implements Recorder {
  readonly calls: string[] = [];
  readonly scopes: RecordScope[] = [];

  async sessionCreated(): Promise<void> {
    this.calls.push("session");
  }

  transcription(scope: RecordScope) {
    this.scopes.push(scope);
    return {
      recordId: "stt-record",
      transcript: async (text: string, ms: number) => void this.calls.push(`stt:transcript ${text} (${ms} ms)`),
      streamObserver: (ms: number) => ({
        onEvent: (data: unknown) => void this.calls.push(`stt:event ${(data as { type: string }).type} (${ms} ms)`),
        beforeEnd: async () => void this.calls.push("stt:end"),
        onCancel: () => void this.calls.push("stt:cancel"),
      }),
      failed: (error: unknown) => void this.calls.push(`stt:failed ${(error as HttpError).code}`),
      hold: () => void this.calls.push("stt:hold"),
    };
  }

  chat(scope: RecordScope) {
    this.scopes.push(scope);
    return {
      recordId: "chat-record",
      said: async (messages: readonly { role: string }[]) => void this.calls.push(`llm:said ${messages.map((m) => m.role).join(",")}`),
      observer: {
        onEvent: () => {
          if (this.calls.at(-1) !== "llm:event") this.calls.push("llm:event");
        },
        beforeEnd: async (error: unknown) => void this.calls.push(`llm:end ${error ? "error" : "done"}`),
        onCancel: () => void this.calls.push("llm:cancel"),
      },
      failed: (error: unknown, clientGone: boolean) =>
        void this.calls.push(`llm:failed ${(error as HttpError).code}${clientGone ? " gone" : ""}`),
      hold: () => void this.calls.push("llm:hold"),
      roundEnded: () => void this.calls.push("llm:round"),
      knowledge: () => void this.calls.push("llm:knowledge"),
    };
  }

  realtime() {
    return undefined;
  }

  speech(scope: RecordScope) {
    this.scopes.push(scope);
    return {
      recordId: undefined,
      observer: { onBytes: () => {}, onEnd: (aborted: boolean) => void this.calls.push(`tts:end ${aborted ? "aborted" : "complete"}`) },
      failed: (error: unknown) => void this.calls.push(`tts:failed ${(error as HttpError).code}`),
    };
  }
}

describe("the stage routes and their recorder", () => {
  const standin = createStandin({ latency: { llmFirstTokenMs: 1, llmPerTokenMs: 1 } });
  const recorder = new RecordingRecorder();
  let close: () => Promise<void>;
  let app: Hono<RelayEnv>;

  beforeAll(async () => {
    const upstream = await listen(standin.app.fetch);
    close = upstream.close;
    const clients = createUpstreamClients(testUpstreams(`${upstream.url}/v1`), 5000);
    const stream = { recorder, streamIdleMs: 5000, closing: new AbortController().signal, log: () => {} };
    app = new Hono<RelayEnv>();
    app.onError(createErrorHandler(() => {}));
    app.use(async (c, next) => {
      c.set("session", { sid: "session-1", agent: "demo", origin: "", exp: 0, end: 0 });
      c.set("agent", testAgent);
      await next();
    }, turnId());
    app.route("/", createTranscriptionsRoute({ stt: clients.stt, ...stream }));
    app.route("/", createChatCompletionsRoute({ llm: clients.llm, ...stream }));
    app.route("/", createSpeechRoute({ tts: clients.tts, ...stream }));
  });
  afterAll(() => close());

  const post = (path: string, body: string | FormData, type?: string) =>
    app.request(path, { method: "POST", body, headers: { [TURN_ID_HEADER]: "turn-0042", ...(type ? { "content-type": type } : {}) } });

  it("hand it what they hold: the transcript, the request, the reply's events, the speech's end and failures", async () => {
    const form = new FormData();
    form.append("file", silentWav(2), "u.wav");
    const plain = await post(PATHS.transcriptions, form);
    expect(plain.headers.get(RECORD_ID_HEADER)).toBe("stt-record");
    const { text } = (await plain.json()) as { text: string };
    form.append("stream", "true");
    expect(await (await post(PATHS.transcriptions, form)).text()).toContain("[DONE]");
    const chat = await post(
      PATHS.chatCompletions,
      JSON.stringify({ stream: true, messages: [{ role: "user", content: "hi" }] }),
      "application/json",
    );
    expect(chat.headers.get(RECORD_ID_HEADER)).toBe("chat-record");
    expect(await chat.text()).toContain("[DONE]");
    await (await post(PATHS.speech, JSON.stringify({ input: "Hello." }), "application/json")).arrayBuffer();
    expect((await post(PATHS.speech, JSON.stringify({}), "application/json")).status).toBe(400);

    expect(recorder.calls).toEqual([
      `stt:transcript ${text} (2000 ms)`,
      "stt:event transcript.text.delta (2000 ms)",
      ...recorder.calls.slice(2, recorder.calls.indexOf("stt:end")),
      "stt:end",
      "llm:said user",
      "llm:event",
      "llm:end done",
      "tts:end complete",
      "tts:failed bad_request",
    ]);
    expect(recorder.calls).toContain("stt:event transcript.text.done (2000 ms)");
    expect(recorder.scopes.map((scope) => scope.turnId)).toEqual(Array(recorder.scopes.length).fill("turn-0042"));
  });

  it("has the recorder hold the transcript of a speculative transcription (sent at a pause), streamed or not; no record id", async () => {
    recorder.calls.length = 0;
    for (const stream of [false, true]) {
      const form = new FormData();
      form.append("file", silentWav(1), "u.wav");
      form.append("speculative", "true");
      if (stream) form.append("stream", "true");
      const res = await post(PATHS.transcriptions, form);
      expect(res.status).toBe(200);
      expect(res.headers.get(RECORD_ID_HEADER)).toBeNull();
      expect(await res.text()).toContain(stream ? "transcript.text.done" : '"text"');
    }
    expect(recorder.calls[0]).toBe("stt:hold");
    expect(recorder.calls[1]).toMatch(/^stt:transcript .* \(1000 ms\)$/);
    expect(recorder.calls[2]).toBe("stt:hold");
    expect(recorder.calls.at(-1)).toBe("stt:end");
  });

  it("has the recorder hold a speculative chat request before it records what the visitor said", async () => {
    recorder.calls.length = 0;
    const body = { stream: true, speculative: true, messages: [{ role: "user", content: "hi" }] };
    const res = await post(PATHS.chatCompletions, JSON.stringify(body), "application/json");
    expect(await res.text()).toContain("[DONE]");
    expect(recorder.calls.slice(0, 2)).toEqual(["llm:hold", "llm:said user"]);
    recorder.calls.length = 0;
    await (await post(PATHS.chatCompletions, JSON.stringify({ ...body, speculative: false }), "application/json")).text();
    expect(recorder.calls).not.toContain("llm:hold");
  });
});
